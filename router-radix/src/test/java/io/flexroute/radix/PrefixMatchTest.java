package io.flexroute.radix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The accessors of {@link PrefixMatch} and the independence of a match from later changes. */
class PrefixMatchTest {

  private final ToyTokenizer tok = new ToyTokenizer();
  private final RadixTokenCache cache =
      RadixTokenCache.builder().maxCachedTokens(1_000_000).build();

  @AfterEach
  void treeStaysConsistent() {
    ((DefaultRadixTokenCache) cache).tree().verifyInvariants();
  }

  private CacheEntry.Builder known(String... pieces) {
    return CacheEntry.builder(String.join("", pieces), tok.ids(pieces))
        .tokenEnds(ToyTokenizer.ends(pieces));
  }

  /** Three nodes on one path: [ab][cd] (v1), [ef] (v2, mask 1), [gh][ij] (v3, mixed mask). */
  private void insertPath() {
    cache.insert(known("ab", "cd").logprobs(new float[] {-1f, -2f}).weightVersion(1).build());
    cache.insert(
        known("ab", "cd", "ef")
            .logprobs(new float[] {-1f, -2f, -3f})
            .lossMask(new int[] {0, 0, 1})
            .weightVersion(2)
            .build());
    cache.insert(
        known("ab", "cd", "ef", "gh", "ij")
            .logprobs(new float[] {-1f, -2f, -3f, -4f, -5f})
            .lossMask(new int[] {0, 0, 1, 0, 1})
            .weightVersion(3)
            .build());
  }

  @Test
  void accessors_spanSeveralNodes_concatenateInOrder() {
    insertPath();

    PrefixMatch m = cache.lookup("abcdefghij and more");

    assertThat(m.tokenCount()).isEqualTo(5);
    assertThat(m.tokenIds()).containsExactly(tok.ids("ab", "cd", "ef", "gh", "ij"));
    assertThat(m.logprobs()).containsExactly(-1f, -2f, -3f, -4f, -5f);
    assertThat(m.lossMask()).containsExactly(0, 0, 1, 0, 1);
    assertThat(m.weightVersions()).containsExactly(1, 1, 2, 3, 3);
    for (int i = 0; i < 5; i++) {
      assertThat(m.tokenId(i)).isEqualTo(m.tokenIds()[i]);
      assertThat(m.logprob(i)).isEqualTo(m.logprobs()[i]);
      assertThat(m.lossMask(i)).isEqualTo(m.lossMask()[i]);
      assertThat(m.weightVersion(i)).isEqualTo(m.weightVersions()[i]);
    }
  }

  @Test
  void accessors_partOfTheLastNode_stopAtTheMatchedToken() {
    insertPath();

    PrefixMatch m = cache.lookup("abcdefgh");

    assertThat(m.tokenIds()).containsExactly(tok.ids("ab", "cd", "ef", "gh"));
    assertThat(m.logprobs()).containsExactly(-1f, -2f, -3f, -4f);
    assertThat(m.lossMask()).containsExactly(0, 0, 1, 0);
    assertThat(m.weightVersions()).containsExactly(1, 1, 2, 3);
    assertThatThrownBy(() -> m.tokenId(4)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void copyAccessors_writeAtTheOffset_andLeaveTheRestAlone() {
    insertPath();
    PrefixMatch m = cache.lookup("abcdefghij");
    int[] ids = {7, 7, 7, 7, 7, 7, 7, 7};
    float[] logprobs = new float[8];
    int[] mask = {9, 9, 9, 9, 9, 9, 9, 9};
    int[] versions = new int[8];

    assertThat(m.copyTokenIds(ids, 2)).isEqualTo(5);
    assertThat(m.copyLogprobs(logprobs, 3)).isEqualTo(5);
    assertThat(m.copyLossMask(mask, 1)).isEqualTo(5);
    assertThat(m.copyWeightVersions(versions, 0)).isEqualTo(5);

    int[] expectedIds = tok.ids("ab", "cd", "ef", "gh", "ij");
    assertThat(ids)
        .containsExactly(
            7, 7, expectedIds[0], expectedIds[1], expectedIds[2], expectedIds[3], expectedIds[4],
            7);
    assertThat(logprobs).containsExactly(0f, 0f, 0f, -1f, -2f, -3f, -4f, -5f);
    assertThat(mask).containsExactly(9, 0, 0, 1, 0, 1, 9, 9);
    assertThat(versions).containsExactly(1, 1, 2, 3, 3, 0, 0, 0);
  }

  @Test
  void copyAccessors_destinationTooSmallOrNull_failWithoutWriting() {
    insertPath();
    PrefixMatch m = cache.lookup("abcdefghij");
    int[] small = new int[5];

    assertThatThrownBy(() -> m.copyTokenIds(small, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> m.copyLossMask(small, -1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> m.copyWeightVersions(small, 6))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> m.copyLogprobs(new float[4], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> m.copyTokenIds(null, 0))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("dest");
    assertThat(small).containsOnly(0);
  }

  @Test
  void copyAccessors_onAMiss_writeNothing() {
    PrefixMatch m = cache.lookup("nothing cached");
    int[] ids = {5};

    assertThat(m.copyTokenIds(ids, 1)).isZero();
    assertThat(m.copyLossMask(new int[0], 0)).isZero();
    assertThat(ids).containsExactly(5);
  }

  @Test
  void lossMask_longerThanOneWord_unpacksEveryBit() {
    String[] pieces = new String[200];
    int[] mask = new int[200];
    for (int i = 0; i < pieces.length; i++) {
      pieces[i] = "t" + (char) ('a' + i % 26);
      mask[i] = i < 64 ? 0 : i < 128 ? 1 : (i % 3 == 0 ? 1 : 0);
    }
    cache.insert(known(pieces).lossMask(mask).build());

    PrefixMatch m = cache.lookup(String.join("", pieces));

    assertThat(m.lossMask()).containsExactly(mask);
    int[] copied = new int[201];
    m.copyLossMask(copied, 1);
    for (int i = 0; i < 200; i++) {
      assertThat(copied[i + 1]).as("token %d", i).isEqualTo(mask[i]);
      assertThat(m.lossMask(i)).isEqualTo(mask[i]);
    }
  }

  @Test
  void match_isUnchangedBySplitsEvictionGcAndClear() {
    insertPath();
    PrefixMatch before = cache.lookup("abcdefghij");
    int[] ids = before.tokenIds();
    float[] logprobs = before.logprobs();
    int[] mask = before.lossMask();
    int[] versions = before.weightVersions();

    // Splits every node of the path at a token boundary, then removes everything.
    cache.insert(known("ab", "xy").weightVersion(9).build());
    cache.insert(known("ab", "cd", "e", "fz").weightVersion(9).build());
    cache.insert(known("ab", "cd", "ef", "gh", "zz").weightVersion(9).build());
    cache.gcByWeightVersion(100);
    cache.evictTo(0);
    cache.clear();

    assertThat(cache.lookup("abcdefghij").isHit()).isFalse();
    assertThat(before.tokenIds()).containsExactly(ids);
    assertThat(before.logprobs()).containsExactly(logprobs);
    assertThat(before.lossMask()).containsExactly(mask);
    assertThat(before.weightVersions()).containsExactly(versions);
    assertThat(before.tokenCount()).isEqualTo(5);
  }

  @Test
  void arrayAccessors_returnFreshCopies() {
    insertPath();
    PrefixMatch m = cache.lookup("abcdefghij");

    int[] first = m.tokenIds();
    first[0] = -42;
    float[] lp = m.logprobs();
    lp[0] = 99f;

    assertThat(m.tokenIds()[0]).isNotEqualTo(-42);
    assertThat(m.logprobs()[0]).isEqualTo(-1f);
    assertThat(cache.lookup("abcdefghij").tokenIds()).containsExactly(m.tokenIds());
  }

  @Test
  void equals_comparesContentNotPaths() {
    insertPath();
    PrefixMatch a = cache.lookup("abcdefghij");
    cache.insert(known("ab", "cd", "ef", "gh", "zz").build()); // splits [gh][ij] after [gh]
    PrefixMatch b = cache.lookup("abcdefghij");

    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
  }
}

package io.flexroute.radix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.radix.InvalidCacheInputException.Problem;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RadixTokenCacheTest {

  private final ToyTokenizer tok = new ToyTokenizer();
  private final FakeTicker ticker = new FakeTicker();
  private RadixTokenCache cache =
      RadixTokenCache.builder().maxCachedTokens(1_000_000).ticker(ticker).build();

  @AfterEach
  void treeStaysConsistent() {
    ((DefaultRadixTokenCache) cache).tree().verifyInvariants();
  }

  private static String text(String... pieces) {
    return String.join("", pieces);
  }

  /** An entry with explicit token pieces and their boundaries. */
  private CacheEntry.Builder known(String... pieces) {
    return CacheEntry.builder(text(pieces), tok.ids(pieces)).tokenEnds(ToyTokenizer.ends(pieces));
  }

  /** Inserts explicit pieces without boundaries, as slime does. */
  private int opaque(int version, String... pieces) {
    return cache.insert(text(pieces), tok.ids(pieces), null, null, version);
  }

  private long nodes() {
    return cache.stats().nodeCount();
  }

  // --- insert and lookup -----------------------------------------------------------------------

  @Test
  void insert_thenLookupSameText_returnsExactPayload() {
    int added =
        cache.insert(
            known("hel", "lo", " wo", "rld")
                .logprobs(new float[] {-0.5f, -1.25f, -2f, -0.125f})
                .lossMask(new int[] {0, 0, 1, 1})
                .weightVersion(3)
                .build());

    PrefixMatch m = cache.lookup("hello world");

    assertThat(added).isEqualTo(4);
    assertThat(m.isHit()).isTrue();
    assertThat(m.matchedLength()).isEqualTo(11);
    assertThat(m.matchedText()).isEqualTo("hello world");
    assertThat(m.remainingText()).isEmpty();
    assertThat(m.tokenIds()).containsExactly(tok.ids("hel", "lo", " wo", "rld"));
    assertThat(m.logprobs()).containsExactly(-0.5f, -1.25f, -2f, -0.125f);
    assertThat(m.lossMask()).containsExactly(0, 0, 1, 1);
    assertThat(m.weightVersions()).containsExactly(3, 3, 3, 3);
    assertThat(m.tokenId(2)).isEqualTo(tok.id(" wo"));
    assertThat(m.lossMask(3)).isEqualTo(1);
    assertThat(m.weightVersion(0)).isEqualTo(3);
  }

  @Test
  void insert_withoutLogprobsOrMask_defaultsToZeroAndNoVersion() {
    cache.insert("abc", tok.ids("ab", "c"));

    PrefixMatch m = cache.lookup("abc");

    assertThat(m.logprobs()).containsExactly(0f, 0f);
    assertThat(m.lossMask()).containsExactly(0, 0);
    assertThat(m.weightVersions()).containsExactly(-1, -1);
  }

  @Test
  void lookup_longerText_returnsRemainingText() {
    cache.insert(known("ab", "cd").build());

    PrefixMatch m = cache.lookup("abcd and more");

    assertThat(m.matchedText()).isEqualTo("abcd");
    assertThat(m.remainingText()).isEqualTo(" and more");
    assertThat(m.tokenCount()).isEqualTo(2);
  }

  @Test
  void lookup_emptyText_returnsEmptyAndCountsNeitherHitNorMiss() {
    cache.insert(known("ab").build());

    PrefixMatch m = cache.lookup("");

    assertThat(m.isHit()).isFalse();
    assertThat(m.tokenCount()).isZero();
    assertThat(m.remainingText()).isEmpty();
    assertThat(cache.stats().requestCount()).isZero();
  }

  @Test
  void lookup_unknownText_isMissWithWholeTextRemaining() {
    cache.insert(known("ab").build());

    PrefixMatch m = cache.lookup("xyz");

    assertThat(m.isHit()).isFalse();
    assertThat(m.matchedLength()).isZero();
    assertThat(m.remainingText()).isEqualTo("xyz");
    assertThat(cache.stats().missCount()).isEqualTo(1);
  }

  @Test
  void multiTurn_eachInsertExtendingTheLast_returnsSlimesResult() {
    // Turn 1: prompt + answer at version 1; turn 2 extends it at version 2 (slime's shape).
    opaque(1, "<s>", "sys", " hi", "!");
    cache.insert(
        text("<s>", "sys", " hi", "!", " ok", "?"),
        tok.ids("<s>", "sys", " hi", "!", " ok", "?"),
        new float[] {0, 0, 0, 0, -0.5f, -0.25f},
        new int[] {0, 0, 0, 0, 1, 1},
        2);

    PrefixMatch m = cache.lookup("<s>sys hi! ok? next user turn");

    assertThat(m.matchedText()).isEqualTo("<s>sys hi! ok?");
    assertThat(m.remainingText()).isEqualTo(" next user turn");
    assertThat(m.tokenIds()).containsExactly(tok.ids("<s>", "sys", " hi", "!", " ok", "?"));
    assertThat(m.logprobs()).containsExactly(0, 0, 0, 0, -0.5f, -0.25f);
    assertThat(m.lossMask()).containsExactly(0, 0, 0, 0, 1, 1);
    assertThat(m.weightVersions()).containsExactly(1, 1, 1, 1, 2, 2);
    assertThat(nodes()).isEqualTo(2);
  }

  @Test
  void insert_sameTextTwice_firstInsertWins() {
    cache.insert(known("ab", "c").logprobs(new float[] {-1f, -2f}).weightVersion(1).build());

    int added = cache.insert(known("ab", "c").logprobs(new float[] {-9f, -9f}).weightVersion(2).build());

    assertThat(added).isZero();
    assertThat(cache.lookup("abc").logprobs()).containsExactly(-1f, -2f);
    assertThat(cache.lookup("abc").weightVersions()).containsExactly(1, 1);
  }

  @Test
  void insert_prefixOfCachedText_addsNothing() {
    cache.insert(known("ab", "cd", "ef").build());

    int added = cache.insert(known("ab", "cd").build());

    assertThat(added).isZero();
    assertThat(cache.stats().cachedTokens()).isEqualTo(3);
    assertThat(cache.lookup("abcd").tokenIds()).containsExactly(tok.ids("ab", "cd"));
  }

  // --- splitting and token alignment -----------------------------------------------------------

  @Test
  void insert_splitsNodeOnPartialOverlap() {
    cache.insert(known("ab", "cd", "ef").build());

    int added = cache.insert(known("ab", "cx", "yz").build());

    assertThat(added).isEqualTo(2);
    assertThat(nodes()).isEqualTo(3);
    assertThat(cache.stats().cachedTokens()).isEqualTo(5);
    assertThat(cache.lookup("abcdef").tokenIds()).containsExactly(tok.ids("ab", "cd", "ef"));
    assertThat(cache.lookup("abcxyz").tokenIds()).containsExactly(tok.ids("ab", "cx", "yz"));
    PrefixMatch common = cache.lookup("abc");
    assertThat(common.tokenIds()).containsExactly(tok.ids("ab"));
    assertThat(common.matchedText()).isEqualTo("ab");
    assertThat(common.remainingText()).isEqualTo("c");
  }

  @Test
  void insert_sharedSystemPrompt_isStoredOnce() {
    cache.insert(known("Sys", " pro", "mpt", ".", " Q", "1").build());
    cache.insert(known("Sys", " pro", "mpt", ".", " Q", "2").build());
    cache.insert(known("Sys", " pro", "mpt", ".", " R", "3").build());

    assertThat(cache.stats().cachedTokens()).isEqualTo(6 + 1 + 2);
    assertThat(cache.lookup("Sys prompt. Q2").tokenIds())
        .containsExactly(tok.ids("Sys", " pro", "mpt", ".", " Q", "2"));
  }

  @Test
  void lookup_endingInsideAToken_returnsOnlyWholeTokens() {
    cache.insert(known("ab", "cd", "ef").build());

    PrefixMatch m = cache.lookup("abcdeZ");

    assertThat(m.tokenIds()).containsExactly(tok.ids("ab", "cd"));
    assertThat(m.matchedText()).isEqualTo("abcd");
    assertThat(m.remainingText()).isEqualTo("eZ");
  }

  @Test
  void lookup_insideFirstToken_isMiss() {
    cache.insert(known("abc", "def").build());

    PrefixMatch m = cache.lookup("ab");

    assertThat(m.isHit()).isFalse();
    assertThat(m.remainingText()).isEqualTo("ab");
  }

  @Test
  void insert_withoutBoundaries_neverSplitsThatStretch() {
    opaque(-1, "ab", "cd", "ef");

    assertThat(cache.lookup("abc").isHit()).isFalse();
    assertThat(cache.lookup("abcdefg").tokenIds()).containsExactly(tok.ids("ab", "cd", "ef"));
    assertThat(cache.lookup("abcdefg").remainingText()).isEqualTo("g");

    opaque(-1, "ab", "cx", "yz");

    assertThat(nodes()).isEqualTo(2);
    assertThat(cache.lookup("abcxyz").tokenIds()).containsExactly(tok.ids("ab", "cx", "yz"));
    assertThat(cache.lookup("abcdef").tokenIds()).containsExactly(tok.ids("ab", "cd", "ef"));
  }

  @Test
  void insert_tokensAreAlignedByTextNotSkippedByCount() {
    // slime drops one token for the walked-through "v1" node and find("v10") returns [1].
    opaque(-1, "v1");
    int v10 = tok.id("v10");
    cache.insert("v10", new int[] {v10});

    assertThat(cache.lookup("v10").tokenIds()).containsExactly(v10);
    assertThat(cache.lookup("v1").tokenIds()).containsExactly(tok.ids("v1"));
    assertThat(cache.lookup("v10").remainingText()).isEmpty();
  }

  @Test
  void insert_otherTokenisationOfCachedText_cachedWinsAndInsertBranchesAtFirstDifferingToken() {
    cache.insert(known("ab", "cd", "ef").build());

    cache.insert(known("ab", "c", "dxy").build());

    // Same text: the cached tokens win.
    assertThat(cache.lookup("abcdef").tokenIds()).containsExactly(tok.ids("ab", "cd", "ef"));
    assertThat(cache.lookup("abcd").tokenIds()).containsExactly(tok.ids("ab", "cd"));
    // Text only the new branch covers: its own tokens, nothing dropped.
    assertThat(cache.lookup("abcdxy").tokenIds()).containsExactly(tok.ids("ab", "c", "dxy"));
    assertThat(nodes()).isEqualTo(3);
  }

  @Test
  void insert_withoutBoundaries_sharesTheKnownBoundariesOfACachedNode() {
    cache.insert(known("ab", "cd", "ef").build());

    int added = opaque(-1, "ab", "cd", "zz");

    assertThat(added).isEqualTo(1);
    assertThat(nodes()).isEqualTo(3);
    assertThat(cache.lookup("abcdzz").tokenIds()).containsExactly(tok.ids("ab", "cd", "zz"));
  }

  @Test
  void insert_withBoundaries_splitsAnOpaqueNodeWhereItAgrees() {
    opaque(-1, "ab", "cd", "ef");

    int added = cache.insert(known("ab", "cd", "zz").build());

    assertThat(added).isEqualTo(1);
    assertThat(nodes()).isEqualTo(3);
    assertThat(cache.lookup("abc").tokenIds()).containsExactly(tok.ids("ab"));
    assertThat(cache.lookup("abcdef").tokenIds()).containsExactly(tok.ids("ab", "cd", "ef"));
    // The lower part keeps unknown boundaries.
    assertThat(cache.lookup("abcde").tokenIds()).containsExactly(tok.ids("ab", "cd"));
  }

  @Test
  void insert_withBoundariesOverWholeOpaqueNode_learnsItsBoundaries() {
    opaque(-1, "ab", "cd");
    assertThat(cache.lookup("abc").isHit()).isFalse();

    cache.insert(known("ab", "cd").build());

    assertThat(cache.lookup("abc").tokenIds()).containsExactly(tok.ids("ab"));
  }

  @Test
  void insert_zeroWidthTokens_stayWithTheTokenBeforeThem() {
    // An emoji as two byte-level tokens: the second has no text of its own.
    String emoji = "\uD83D\uDE00";
    String text = "a" + emoji + "b";
    int[] ids = {tok.id("a"), 900, 901, tok.id("b")};
    cache.insert(CacheEntry.builder(text, ids).tokenEnds(new int[] {1, 3, 3, 4}).build());

    assertThat(cache.lookup("a" + emoji + "c").tokenIds()).containsExactly(tok.id("a"), 900, 901);
    assertThat(cache.lookup("a\uD83D").tokenIds()).containsExactly(tok.id("a"));
  }

  @Test
  void insert_tokensLongerThan127Chars_keepTheirBoundaries() {
    String spaces = " ".repeat(300);
    String[] pieces = {"x", spaces, "y", "z"};
    cache.insert(known(pieces).build());
    cache.insert(known("x", spaces, "y", "w").build());

    assertThat(cache.lookup("x" + spaces + "q").tokenIds()).containsExactly(tok.ids("x", spaces));
    assertThat(cache.lookup("x" + spaces + "yw").tokenCount()).isEqualTo(4);
    assertThat(nodes()).isEqualTo(3);
  }

  @Test
  void insert_fromCodePointSpans_splitsOnlyBetweenCharacters() {
    String text = "x\uD83D\uDE00yz";
    int[] ends = TokenBoundaries.fromCodePointEnds(text, new int[] {1, 2, 4});
    assertThat(ends).containsExactly(1, 3, 5);
    cache.insert(CacheEntry.builder(text, new int[] {1, 2, 3}).tokenEnds(ends).build());

    assertThat(cache.lookup("x\uD83D\uDE00q").tokenIds()).containsExactly(1, 2);
  }

  // --- versions and GC -------------------------------------------------------------------------

  @Test
  void insert_raisesTraverseVersionToMaxNeverLowersIt() {
    opaque(5, "A", "A");
    opaque(3, "A", "A", "B"); // walks through "AA" with an older version

    long removed = cache.gcByWeightVersion(10); // threshold 5: "AA" (5) kept, "B" (3) removed

    assertThat(removed).isEqualTo(1);
    assertThat(cache.lookup("AAB").tokenIds()).containsExactly(tok.ids("A", "A"));
  }

  @Test
  void gc_usesStrictBelowCurrentMinusKRule() {
    opaque(5, "five");
    opaque(4, "four");

    cache.gcByWeightVersion(10);

    assertThat(cache.lookup("five").isHit()).isTrue();
    assertThat(cache.lookup("four").isHit()).isFalse();
  }

  @Test
  void gc_removesSubtreeOfStaleNodeIncludingUnversionedDescendants() {
    opaque(1, "ro", "ot");
    opaque(-1, "ro", "ot", "le", "af");

    long removed = cache.gcByWeightVersion(10);

    assertThat(removed).isEqualTo(4);
    assertThat(cache.stats().cachedTokens()).isZero();
    assertThat(nodes()).isZero();
  }

  @Test
  void gc_keepsNodesWithoutVersion() {
    opaque(-1, "no", "ver");

    cache.gcByWeightVersion(1_000);

    assertThat(cache.lookup("nover").tokenCount()).isEqualTo(2);
  }

  @Test
  void gc_olderParentNewerChild_keepsThePathTheNewInsertWalked() {
    opaque(1, "par", "ent");
    opaque(7, "par", "ent", "chi", "ld");

    cache.gcByWeightVersion(10); // threshold 5: the parent was raised to 7

    assertThat(cache.lookup("parentchild").weightVersions()).containsExactly(1, 1, 7, 7);

    cache.gcByWeightVersion(13); // threshold 8

    assertThat(cache.stats().cachedTokens()).isZero();
  }

  @Test
  void gc_splitNode_keepsVersionOfUpperPartOnly() {
    cache.insert(known("ab", "cd", "ef").weightVersion(1).build());
    cache.insert(known("ab", "xy").weightVersion(9).build()); // splits after "ab", raises it

    cache.gcByWeightVersion(10); // threshold 5

    assertThat(cache.lookup("abcdef").tokenIds()).containsExactly(tok.ids("ab"));
    assertThat(cache.lookup("abxy").tokenIds()).containsExactly(tok.ids("ab", "xy"));
  }

  // --- budget and eviction ---------------------------------------------------------------------

  @Test
  void insert_reachingBudget_runsGcBeforeEvicting() {
    cache =
        RadixTokenCache.builder()
            .maxCachedTokens(10)
            .evictionLowWatermark(1.0)
            .ticker(ticker)
            .build();
    opaque(1, "o", "l", "d", "!");
    ticker.advance();
    opaque(10, "n", "e", "w", "!");
    ticker.advance();

    opaque(10, "m", "o", "r", "e");

    CacheStats s = cache.stats();
    assertThat(s.gcRemovedTokens()).isEqualTo(4);
    assertThat(s.evictedTokens()).isZero();
    assertThat(s.cachedTokens()).isEqualTo(8);
    assertThat(cache.lookup("old!").isHit()).isFalse();
  }

  @Test
  void insert_withoutVersion_isStillBoundedByEvictingLeastRecentlyUsed() {
    cache =
        RadixTokenCache.builder()
            .maxCachedTokens(10)
            .evictionLowWatermark(1.0)
            .ticker(ticker)
            .build();
    ticker.set(1);
    opaque(-1, "a", "a", "a", "a");
    ticker.set(2);
    opaque(-1, "b", "b", "b", "b");
    ticker.set(3);
    cache.lookup("aaaa"); // "aaaa" is now more recent than "bbbb"
    ticker.set(4);

    opaque(-1, "c", "c", "c", "c");

    assertThat(cache.stats().cachedTokens()).isEqualTo(8);
    assertThat(cache.stats().evictedTokens()).isEqualTo(4);
    assertThat(cache.lookup("bbbb").isHit()).isFalse();
    assertThat(cache.lookup("aaaa").isHit()).isTrue();
    assertThat(cache.lookup("cccc").isHit()).isTrue();
  }

  @Test
  void evict_removesLeavesBeforeTheirParents() {
    ticker.set(1);
    opaque(-1, "p", "p");
    ticker.set(2);
    opaque(-1, "p", "p", "c", "c"); // touches "pp" at 2 and creates the leaf "cc"
    ticker.set(3);
    opaque(-1, "z", "z");

    long removed = cache.evictTo(4);

    assertThat(removed).isEqualTo(2);
    assertThat(cache.lookup("ppcc").tokenIds()).containsExactly(tok.ids("p", "p"));
    assertThat(cache.lookup("zz").isHit()).isTrue();
  }

  @Test
  void evict_aLookupWithAnOlderClockReadingDoesNotMakeANodeLookOld() {
    ticker.set(10);
    opaque(-1, "a", "a");
    ticker.set(20);
    opaque(-1, "b", "b");
    // A reader that read the clock at 5, then waited for the lock behind the insert of "bb".
    ticker.set(5);
    assertThat(cache.lookup("bb").isHit()).isTrue();

    cache.evictTo(2);

    assertThat(cache.lookup("bb").isHit()).isTrue();
    assertThat(cache.lookup("aa").isHit()).isFalse();
  }

  @Test
  void retrieve_withATokenizerThatReturnsNull_namesIt() {
    opaque(1, "a", "a");
    io.flexroute.spi.Tokenizer broken =
        new io.flexroute.spi.Tokenizer() {
          @Override
          public int[] encode(String text) {
            return null;
          }

          @Override
          public String decode(int[] tokenIds) {
            return "";
          }
        };

    assertThatThrownBy(() -> cache.retrieve("aab", broken))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("returned null");
    assertThatThrownBy(() -> cache.retrieve("zz", broken))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("returned null");
  }

  @Test
  void autoEviction_freesDownToTheLowWatermark() {
    cache = RadixTokenCache.builder().maxCachedTokens(100).ticker(ticker).build();
    for (int i = 0; i < 30; i++) {
      ticker.advance();
      cache.insert("entry " + (char) ('A' + i), new int[] {i, i, i, i});
    }

    assertThat(cache.stats().cachedTokens()).isLessThanOrEqualTo(100);
    assertThat(cache.stats().evictedTokens()).isPositive();
    assertThat(cache.lookup("entry " + (char) ('A' + 29)).isHit()).isTrue();
    assertThat(cache.lookup("entry A").isHit()).isFalse();
  }

  @Test
  void insert_largerThanTheWholeBudget_leavesTheCacheWithinBudget() {
    cache = RadixTokenCache.builder().maxCachedTokens(5).ticker(ticker).build();
    opaque(-1, "a", "b");

    int added = opaque(-1, "c", "d", "e", "f", "g", "h");

    assertThat(added).isEqualTo(6);
    assertThat(cache.stats().cachedTokens()).isLessThanOrEqualTo(5);
  }

  @Test
  void lookup_amongManyChildren_findsEachByItsFirstChar() {
    for (int i = 0; i < 200; i++) {
      char c = (char) (0x21 + i * 37 % 400);
      cache.insert(known(String.valueOf(c), "-" + i).build());
    }

    for (int i = 0; i < 200; i++) {
      char c = (char) (0x21 + i * 37 % 400);
      PrefixMatch m = cache.lookup(c + "-" + i + "!");
      assertThat(m.tokenIds()).containsExactly(tok.ids(String.valueOf(c), "-" + i));
    }
    assertThat(cache.lookup("\u4E00").isHit()).isFalse();
  }

  // --- statistics ------------------------------------------------------------------------------

  @Test
  void stats_hitRateCountsQueriesNotNodes() {
    opaque(-1, "a");
    opaque(-1, "a", "b");
    opaque(-1, "a", "b", "c"); // three nodes on one path

    cache.lookup("abc");
    cache.lookup("zzz");

    CacheStats s = cache.stats();
    assertThat(s.hitCount()).isEqualTo(1);
    assertThat(s.missCount()).isEqualTo(1);
    assertThat(s.hitRate()).isEqualTo(0.5);
    assertThat(s.matchedTokenCount()).isEqualTo(3);
    assertThat(s.nodeCount()).isEqualTo(3);
    assertThat(s.cachedTokens()).isEqualTo(3);
    assertThat(s.estimatedBytes()).isPositive();
    assertThat(s.bytesPerCachedToken()).isEqualTo((double) s.estimatedBytes() / 3);
  }

  @Test
  void clear_removesEverythingAndResetsCounters() {
    opaque(1, "a", "b");
    cache.lookup("ab");

    cache.clear();

    CacheStats s = cache.stats();
    assertThat(s.cachedTokens()).isZero();
    assertThat(s.nodeCount()).isZero();
    assertThat(s.requestCount()).isZero();
    assertThat(cache.lookup("ab").isHit()).isFalse();
  }

  // --- retrieve --------------------------------------------------------------------------------

  @Test
  void retrieve_hit_appendsTokenisedRemainderWithDefaultsAndDoesNotInsertIt() {
    cache.insert(
        known("Sys", " Q", "?").logprobs(new float[] {0, 0, -0.5f}).lossMask(new int[] {0, 0, 1})
            .weightVersion(4).build());
    long before = cache.stats().cachedTokens();

    Retrieval r = cache.retrieve("Sys Q? more words", tok);

    assertThat(r.isHit()).isTrue();
    assertThat(r.cachedTokenCount()).isEqualTo(3);
    int[] expected = new int[3 + tok.encode(" more words").length];
    System.arraycopy(tok.ids("Sys", " Q", "?"), 0, expected, 0, 3);
    System.arraycopy(tok.encode(" more words"), 0, expected, 3, expected.length - 3);
    assertThat(r.tokenIds()).containsExactly(expected);
    assertThat(r.logprobs()).containsExactly(0, 0, -0.5f, 0, 0, 0, 0);
    assertThat(r.lossMask()).containsExactly(0, 0, 1, 0, 0, 0, 0);
    assertThat(r.weightVersions()).containsExactly(4, 4, 4, -1, -1, -1, -1);
    assertThat(cache.stats().cachedTokens()).isEqualTo(before);
  }

  @Test
  void retrieve_miss_tokenisesInsertsAndReturnsTheWholeText() {
    Retrieval r = cache.retrieve("fresh text", tok);

    assertThat(r.isHit()).isFalse();
    assertThat(r.tokenIds()).containsExactly(tok.encode("fresh text"));
    assertThat(r.lossMask()).containsOnly(0);
    assertThat(r.logprobs()).containsOnly(0f);
    assertThat(r.weightVersions()).containsOnly(-1);
    assertThat(cache.lookup("fresh text").tokenIds()).containsExactly(tok.encode("fresh text"));
    // Boundaries were derived by decoding, so a prefix splits on them.
    assertThat(cache.lookup("fresh tea").tokenIds()).containsExactly(tok.ids("fre", "sh"));
  }

  @Test
  void retrieve_wholeTextCached_doesNotCallTheTokenizer() {
    cache.insert(known("ab", "cd").build());
    int calls = tok.encodeCalls();

    Retrieval r = cache.retrieve("abcd", tok);

    assertThat(r.tokenIds()).containsExactly(tok.ids("ab", "cd"));
    assertThat(tok.encodeCalls()).isEqualTo(calls);
  }

  @Test
  void retrieve_emptyText_isAnError() {
    assertThatThrownBy(() -> cache.retrieve("", tok))
        .isInstanceOf(InvalidCacheInputException.class)
        .hasMessageContaining("text must not be empty")
        .extracting(e -> ((InvalidCacheInputException) e).problem())
        .isEqualTo(Problem.EMPTY_TEXT);
  }

  @Test
  void trainingSample_returnsAllTokensAndTheResponsePart() {
    cache.insert(
        known("P", "Q", "r1", "r2").logprobs(new float[] {0, 0, -1f, -2f})
            .lossMask(new int[] {0, 0, 1, 1}).build());

    TrainingSample s = cache.retrieve("PQr1r2", tok).trainingSample(2);

    assertThat(s.tokens()).containsExactly(tok.ids("P", "Q", "r1", "r2"));
    assertThat(s.promptLength()).isEqualTo(2);
    assertThat(s.responseLength()).isEqualTo(2);
    assertThat(s.responseTokens()).containsExactly(tok.ids("r1", "r2"));
    assertThat(s.lossMask()).containsExactly(1, 1);
    assertThat(s.rolloutLogprobs()).containsExactly(-1f, -2f);
    assertThatThrownBy(() -> cache.retrieve("PQr1r2", tok).trainingSample(5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but was 5");
  }

  // --- value semantics -------------------------------------------------------------------------

  @Test
  void arrays_areCopiedInAndOut() {
    int[] ids = tok.ids("ab", "cd");
    float[] logprobs = {-1f, -2f};
    int[] mask = {1, 0};
    cache.insert("abcd", ids, logprobs, mask, 1);
    ids[0] = 999;
    logprobs[0] = 42f;
    mask[1] = 1;

    PrefixMatch m = cache.lookup("abcd");
    m.tokenIds()[0] = 777;
    m.logprobs()[0] = 77f;

    PrefixMatch again = cache.lookup("abcd");
    assertThat(again.tokenIds()).containsExactly(tok.ids("ab", "cd"));
    assertThat(again.logprobs()).containsExactly(-1f, -2f);
    assertThat(again.lossMask()).containsExactly(1, 0);
    assertThat(m).isEqualTo(again);
  }

  @Test
  void cacheEntry_copiesItsArraysAndHidesTextInToString() {
    int[] ids = {1, 2};
    int[] ends = {1, 2};
    CacheEntry e = CacheEntry.builder("ab", ids).tokenEnds(ends).weightVersion(2).build();
    ids[0] = 9;
    ends[0] = 2;

    assertThat(e.tokenIds()).containsExactly(1, 2);
    assertThat(e.tokenEnds()).containsExactly(1, 2);
    assertThat(e.lossMask()).isNull();
    assertThat(e.logprobs()).isNull();
    assertThat(CacheEntry.builder("ab", ids).lossMask(new int[] {0, 1}).build().lossMask())
        .containsExactly(0, 1);
    assertThat(e.toString()).doesNotContain("ab").contains("tokens=2");
    assertThat(e).isEqualTo(CacheEntry.builder("ab", new int[] {1, 2}).tokenEnds(new int[] {1, 2})
        .weightVersion(2).build());
  }

  @Test
  void results_doNotPrintTextInToString() {
    cache.insert(known("secret").build());

    assertThat(cache.lookup("secret prompt").toString()).doesNotContain("secret");
  }

  @Nested
  class Builder {
    @Test
    void rejectsBadSettingsWithTheValueInTheMessage() {
      assertThatThrownBy(() -> RadixTokenCache.builder().maxCachedTokens(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxCachedTokens must be >= 1, but was 0");
      assertThatThrownBy(() -> RadixTokenCache.builder().keepVersions(-1))
          .hasMessage("keepVersions must be >= 0, but was -1");
      assertThatThrownBy(() -> RadixTokenCache.builder().evictionLowWatermark(1.5))
          .hasMessage("evictionLowWatermark must be in (0, 1], but was 1.5");
      assertThatThrownBy(() -> cache.evictTo(-1)).hasMessage("maxTokens must be >= 0, but was -1");
    }

    @Test
    void keepVersions_setsTheGcWindow() {
      cache = RadixTokenCache.builder().keepVersions(0).build();
      opaque(9, "nine");

      cache.gcByWeightVersion(10);

      assertThat(cache.stats().cachedTokens()).isZero();
    }
  }

  @Nested
  class Boundaries {
    @Test
    void fromTokenTexts_spellingTheText_givesEnds() {
      assertThat(TokenBoundaries.fromTokenTexts("hello world", List.of("hel", "lo", " world")))
          .containsExactly(3, 5, 11);
    }

    @Test
    void fromTokenTexts_notSpellingTheText_givesNull() {
      assertThat(TokenBoundaries.fromTokenTexts("hello", List.of("hel", "p"))).isNull();
      assertThat(TokenBoundaries.fromTokenTexts("hello", List.of("hel"))).isNull();
    }

    @Test
    void derive_decodesEveryToken() {
      int[] ids = tok.encode("the cat sat");

      assertThat(TokenBoundaries.derive("the cat sat", ids, tok))
          .containsExactly(ToyTokenizer.endsOf("the cat sat"));
      assertThat(TokenBoundaries.derive("the dog", ids, tok)).isNull();
    }

    @Test
    void fromCodePointEnds_rejectsEndsPastTheText() {
      assertThatThrownBy(() -> TokenBoundaries.fromCodePointEnds("ab", new int[] {1, 3}))
          .isInstanceOf(InvalidCacheInputException.class)
          .hasMessageContaining("past the end");
    }
  }
}

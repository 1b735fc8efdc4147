package io.flexroute.testkit.sim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KvBlockPoolTest {

  private static int[] seq(int start, int length) {
    return IntStream.range(start, start + length).toArray();
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Admits, prefills, decodes to the end and releases a request. */
  private static EngineRequest runToEnd(KvBlockPool pool, int[] sequence, int promptLength) {
    EngineRequest r = new EngineRequest(sequence, promptLength, null);
    assertThat(pool.admit(r, 0)).isTrue();
    pool.advance(r, r.prefillRemaining());
    r.generated = 1;
    while (r.generated < r.outputLength) {
      assertThat(pool.ensureNextToken(r)).isTrue();
      pool.advance(r, 1);
      r.generated++;
    }
    pool.release(r);
    return r;
  }

  @Test
  void reusesFullBlocksOfAPreviousSequenceButNotItsPartialBlock() {
    KvBlockPool pool = new KvBlockPool(100, 16);
    int[] first = seq(1000, 50); // 40 prompt + 10 output: 49 computed, 3 full blocks
    runToEnd(pool, first, 40);
    assertThat(pool.cachedBlocks()).isEqualTo(3);

    EngineRequest next = new EngineRequest(concat(first, seq(5000, 30)), 70, null);
    assertThat(pool.admit(next, 0)).isTrue();
    assertThat(next.cachedTokens()).isEqualTo(48);
    assertThat(next.prefillRemaining()).isEqualTo(70 - 48);
  }

  @Test
  void aFullyCachedPromptStillComputesItsLastToken() {
    KvBlockPool pool = new KvBlockPool(100, 16);
    int[] prompt = seq(1000, 64);
    runToEnd(pool, concat(prompt, seq(9000, 20)), 64);

    EngineRequest again = new EngineRequest(concat(prompt, seq(7000, 5)), 64, null);
    assertThat(pool.admit(again, 0)).isTrue();
    assertThat(again.cachedTokens()).isEqualTo(48);
    assertThat(again.prefillRemaining()).isEqualTo(16);
  }

  @Test
  void usageCountsBlocksInUseButNotMerelyCachedOnes() {
    KvBlockPool pool = new KvBlockPool(10, 16);
    EngineRequest r = new EngineRequest(seq(1000, 100), 64, null);
    assertThat(pool.admit(r, 0)).isTrue();
    assertThat(pool.usage()).isEqualTo(0.4);
    pool.advance(r, 64);
    pool.release(r);
    assertThat(pool.usage()).isZero();
    assertThat(pool.evictableBlocks()).isEqualTo(4);
    assertThat(pool.freeBlocks()).isEqualTo(6);
  }

  @Test
  void evictsLeastRecentlyUsedBlocksDeepestFirst() {
    KvBlockPool pool = new KvBlockPool(8, 16);
    int[] a = seq(1000, 65); // 64 computed: 4 blocks cached
    runToEnd(pool, a, 60);
    int[] b = seq(2000, 97); // 6 blocks: needs 2 of a's
    runToEnd(pool, b, 90);

    assertThat(pool.evictions()).isEqualTo(2);
    assertThat(pool.cachedPrefix(a, 64)).isEqualTo(32); // a's head survived, its tail went
    assertThat(pool.cachedPrefix(b, 96)).isEqualTo(96);
  }

  @Test
  void recentlyReusedPrefixesOutliveOlderOnes() {
    KvBlockPool pool = new KvBlockPool(8, 16);
    int[] a = seq(1000, 33);
    int[] b = seq(2000, 33);
    runToEnd(pool, a, 20);
    runToEnd(pool, b, 20);
    runToEnd(pool, concat(java.util.Arrays.copyOf(a, 32), seq(3000, 1)), 32); // touches a
    runToEnd(pool, seq(4000, 97), 90); // needs 6 blocks: evicts b, not a

    assertThat(pool.cachedPrefix(a, 32)).isEqualTo(32);
    assertThat(pool.cachedPrefix(b, 32)).isZero();
  }

  @Test
  void refusesAdmissionWithoutRoomAndChangesNothing() {
    KvBlockPool pool = new KvBlockPool(4, 16);
    EngineRequest big = new EngineRequest(seq(1000, 80), 70, null);
    assertThat(pool.admit(big, 0)).isFalse();
    assertThat(pool.freeBlocks()).isEqualTo(4);

    EngineRequest fits = new EngineRequest(seq(1000, 50), 48, null);
    assertThat(pool.admit(fits, 1)).isTrue();
    EngineRequest second = new EngineRequest(seq(3000, 20), 16, null);
    assertThat(pool.admit(second, 0)).isTrue();
    assertThat(pool.freeBlocks()).isZero();
    pool.advance(second, 16);
    assertThat(pool.ensureNextToken(second)).isFalse();
  }

  @Test
  void requestsComputingTheSameBlockConcurrentlyEndUpSharingIt() {
    KvBlockPool pool = new KvBlockPool(20, 16);
    int[] prompt = seq(1000, 40);
    EngineRequest one = new EngineRequest(concat(prompt, seq(5000, 4)), 40, null);
    EngineRequest two = new EngineRequest(concat(prompt, seq(6000, 4)), 40, null);
    assertThat(pool.admit(one, 0)).isTrue();
    assertThat(pool.admit(two, 0)).isTrue();
    assertThat(pool.freeBlocks()).isEqualTo(14);
    pool.advance(one, 40);
    pool.advance(two, 40);
    assertThat(pool.cachedBlocks()).isEqualTo(2);
    assertThat(pool.freeBlocks()).isEqualTo(16); // two's copies of the full blocks were freed
    pool.release(one);
    pool.release(two);
    assertThat(pool.evictableBlocks()).isEqualTo(2);
    assertThat(pool.freeBlocks()).isEqualTo(18);
  }
}

package io.flexroute.core.strategy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.TokenIds;
import io.flexroute.core.strategy.Concurrently;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The approximate multi-tenant prefix tree: match, insert, LRU trimming, purging, threads. */
class PrefixTreeTest {

  private static final List<WorkerView> FLEET = List.copyOf(FakeWorkerView.fleet(3));

  /** Matches a text and inserts it for a worker, as a strategy does. */
  private static void send(PrefixTree tree, String text, int worker) {
    PrefixTree.FleetIndex index = tree.index(FLEET);
    PrefixTree.Walk walk = tree.match(PrefixKey.text(text), PrefixTree.walk());
    tree.insert(walk, index.tenant(worker), tree.tick(), index);
  }

  /** The length of the longest prefix of a text recorded for a worker. */
  private static int matched(PrefixTree tree, String text, int worker) {
    PrefixTree.FleetIndex index = tree.index(FLEET);
    PrefixTree.Walk walk = tree.match(PrefixKey.text(text), PrefixTree.walk());
    int tenant = index.tenant(worker).index();
    for (int i = walk.size() - 1; i >= 0; i--) {
      if (walk.holders(i).find(tenant) >= 0) {
        return walk.end(i);
      }
    }
    return 0;
  }

  @Test
  void match_findsTheLongestRecordedPrefixPerWorker() {
    PrefixTree tree = new PrefixTree(1_000, true);
    send(tree, "system: be brief\nuser: hello", 0);
    send(tree, "system: be brief\nuser: goodbye", 1);

    assertThat(matched(tree, "system: be brief\nuser: hello there", 0)).isEqualTo(28);
    assertThat(matched(tree, "system: be brief\nuser: hello there", 1)).isEqualTo(23);
    assertThat(matched(tree, "system: be brief\nuser: hello there", 2)).isZero();
    assertThat(matched(tree, "unrelated", 0)).isZero();
  }

  @Test
  void insert_splitsEdgesAndCountsEachWorkersElements() {
    PrefixTree tree = new PrefixTree(1_000, true);
    send(tree, "abcdef", 0);
    send(tree, "abcxyz", 0);
    send(tree, "abc", 1);

    // Worker 0 holds "abc" + "def" + "xyz"; worker 1 holds "abc" only.
    assertThat(tree.sizeOf("w0")).isEqualTo(9).isEqualTo(tree.recount("w0"));
    assertThat(tree.sizeOf("w1")).isEqualTo(3).isEqualTo(tree.recount("w1"));
    assertThat(tree.nodeCount()).isEqualTo(3);
  }

  @Test
  void insert_ofTheSamePromptAgainAddsNothing() {
    PrefixTree tree = new PrefixTree(1_000, true);
    send(tree, "repeat me", 0);
    long size = tree.sizeOf("w0");
    int nodes = tree.nodeCount();
    for (int i = 0; i < 10; i++) {
      send(tree, "repeat me", 0);
    }
    assertThat(tree.sizeOf("w0")).isEqualTo(size);
    assertThat(tree.nodeCount()).isEqualTo(nodes);
  }

  @Test
  void tokenKeys_matchAndSplitLikeText() {
    PrefixTree tree = new PrefixTree(1_000, true);
    PrefixTree.FleetIndex index = tree.index(FLEET);
    PrefixKey first = PrefixKey.tokens(TokenIds.of(1, 2, 3, 4, 5));
    tree.insert(tree.match(first, PrefixTree.walk()), index.tenant(0), tree.tick(), index);

    PrefixTree.Walk walk = tree.match(PrefixKey.tokens(TokenIds.of(1, 2, 3, 9)), PrefixTree.walk());

    assertThat(walk.matched()).isEqualTo(3);
    tree.insert(walk, index.tenant(1), tree.tick(), index);
    assertThat(tree.sizeOf("w0")).isEqualTo(5);
    assertThat(tree.sizeOf("w1")).isEqualTo(4);
    assertThat(tree.nodeCount()).isEqualTo(3);
  }

  @Test
  void tokenKeys_matchExactlyThroughSplitsOfLabelsThatShareThePrompt() {
    // Labels refer to the prompts they were cut from (or copy the part when it is less than half
    // of its prompt); splits at every depth must keep each match exact. Reference: the longest
    // common prefix with any prompt inserted so far.
    PrefixTree tree = new PrefixTree(1_000_000, true);
    PrefixTree.FleetIndex index = tree.index(FLEET);
    SplittableRandom random = new SplittableRandom(11);
    List<int[]> sent = new ArrayList<>();
    for (int n = 0; n < 400; n++) {
      int[] prompt;
      if (sent.isEmpty() || random.nextInt(4) == 0) {
        prompt = randomIds(random, 1 + random.nextInt(300));
      } else {
        int[] base = sent.get(random.nextInt(sent.size()));
        int keep = random.nextInt(base.length + 1);
        int[] tail = randomIds(random, random.nextInt(200));
        prompt = new int[keep + tail.length];
        System.arraycopy(base, 0, prompt, 0, keep);
        System.arraycopy(tail, 0, prompt, keep, tail.length);
        if (prompt.length == 0) {
          continue;
        }
      }
      PrefixTree.Walk walk =
          tree.match(PrefixKey.tokens(TokenIds.of(prompt)), PrefixTree.walk());
      int expected = 0;
      for (int[] s : sent) {
        expected = Math.max(expected, commonPrefix(s, prompt));
      }
      assertThat(walk.matched()).as("prompt %d", n).isEqualTo(expected);
      tree.insert(walk, index.tenant(n % 3), tree.tick(), index);
      sent.add(prompt);
    }
    for (WorkerView w : FLEET) {
      assertThat(tree.sizeOf(w.id())).isEqualTo(tree.recount(w.id()));
    }
  }

  /**
   * Matches token ids and inserts them for a worker, as a strategy does.
   *
   * @return the length the match found before the insert
   */
  private static int sendIds(PrefixTree tree, int worker, int... ids) {
    PrefixTree.FleetIndex index = tree.index(FLEET);
    PrefixTree.Walk walk = tree.match(PrefixKey.tokens(TokenIds.of(ids)), PrefixTree.walk());
    int matched = walk.matched();
    tree.insert(walk, index.tenant(worker), tree.tick(), index);
    return matched;
  }

  private static int[] range(int from, int to) {
    int[] ids = new int[to - from];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = from + i;
    }
    return ids;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void tokenKeys_aConversationsNextTurnOnItsWorkerGrowsItsLeafInsteadOfAddingANode() {
    PrefixTree tree = new PrefixTree(1_000, true);
    sendIds(tree, 0, range(0, 10));
    assertThat(sendIds(tree, 0, range(0, 16))).isEqualTo(10);
    assertThat(tree.nodeCount()).isEqualTo(1);
    assertThat(tree.sizeOf("w0")).isEqualTo(16).isEqualTo(tree.recount("w0"));
    assertThat(sendIds(tree, 0, range(0, 17))).isEqualTo(16);
    assertThat(tree.nodeCount()).isEqualTo(1);

    // Another worker takes the same prompt: it now holds the leaf too, which stops growing.
    sendIds(tree, 1, range(0, 17));
    assertThat(tree.sizeOf("w1")).isEqualTo(17).isEqualTo(tree.recount("w1"));
    assertThat(sendIds(tree, 0, range(0, 25))).isEqualTo(17);
    assertThat(tree.nodeCount()).isEqualTo(2);
    assertThat(tree.sizeOf("w0")).isEqualTo(25).isEqualTo(tree.recount("w0"));
    assertThat(tree.sizeOf("w1")).isEqualTo(17).isEqualTo(tree.recount("w1"));
    assertThat(sendIds(tree, 2, range(0, 30))).isEqualTo(25);
  }

  @Test
  void tokenKeys_aLeafGrowsOnlyWhenItsNewLabelCanReferToThePrompt() {
    PrefixTree tree = new PrefixTree(1_000, true);
    int[] system = range(100, 110);
    sendIds(tree, 0, concat(system, range(0, 4)));
    sendIds(tree, 1, concat(system, range(50, 54)));
    assertThat(tree.nodeCount()).isEqualTo(3);
    // Worker 0's leaf would cover 9 of 19 ids: less than half, so a copy; a new node instead.
    sendIds(tree, 0, concat(system, range(0, 9)));
    assertThat(tree.nodeCount()).isEqualTo(4);
    // Covering 24 of 34 ids, the grown leaf refers to the prompt: no new node.
    sendIds(tree, 0, concat(system, range(0, 24)));
    assertThat(tree.nodeCount()).isEqualTo(4);
    assertThat(tree.sizeOf("w0")).isEqualTo(34).isEqualTo(tree.recount("w0"));
    assertThat(sendIds(tree, 2, concat(system, range(0, 30)))).isEqualTo(34);
  }

  @Test
  void textKeys_growALeafWhenItsNewLabelCanReferToThePrompt() {
    PrefixTree tree = new PrefixTree(1_000, true);
    String system = "S".repeat(10);
    send(tree, system + "a", 0);
    send(tree, system + "b", 1);
    assertThat(tree.nodeCount()).isEqualTo(3);
    // Worker 0's leaf would cover 2 of 12 chars: less than half, so a copy; a new node instead.
    send(tree, system + "ab", 0);
    assertThat(tree.nodeCount()).isEqualTo(4);
    // Covering 13 of 24 chars, the grown leaf refers to the prompt: no new node.
    String turn = system + "ab" + "x".repeat(12);
    send(tree, turn, 0);
    assertThat(tree.nodeCount()).isEqualTo(4);
    assertThat(tree.sizeOf("w0")).isEqualTo(24).isEqualTo(tree.recount("w0"));
    assertThat(matched(tree, turn + "?", 0)).isEqualTo(24);
    assertThat(matched(tree, system + "ab" + "x".repeat(5) + "y", 0)).isEqualTo(17);
    assertThat(matched(tree, turn, 1)).isEqualTo(10);
  }

  @Test
  void textKeys_labelsThatReferToOtherPromptsSplitAndMatchLikeCopies() {
    PrefixTree tree = new PrefixTree(1_000, true);
    // Each prompt's leaf refers to its own string; later prompts are built anew, so every match
    // compares two different strings.
    send(tree, new StringBuilder("system: be brief\n").append("user: hello").toString(), 0);
    send(tree, new StringBuilder("system: be brief\n").append("user: goodbye").toString(), 1);
    send(tree, new StringBuilder("system: be brief\n").append("user: hello again").toString(), 0);

    assertThat(matched(tree, "system: be brief\nuser: hello again!", 0)).isEqualTo(34);
    assertThat(matched(tree, "system: be brief\nuser: hello there", 0)).isEqualTo(29);
    assertThat(matched(tree, "system: be brief\nuser: goodbye", 1)).isEqualTo(30);
    assertThat(matched(tree, "system: be brief\nuser: hello", 1)).isEqualTo(23);
    assertThat(tree.sizeOf("w0")).isEqualTo(34).isEqualTo(tree.recount("w0"));
    assertThat(tree.sizeOf("w1")).isEqualTo(30).isEqualTo(tree.recount("w1"));
  }

  @Test
  void concurrentConversationTurns_growLeavesAndKeepSizesConsistentAndWithinBudget()
      throws Exception {
    PrefixTree tree = new PrefixTree(20_000, true);
    int threads = 8;
    // 64 conversations, each a fixed sequence of ids; turn k sends its first 200 + 40 k ids.
    int[][] conversations = new int[64][];
    SplittableRandom ids = new SplittableRandom(5);
    for (int c = 0; c < conversations.length; c++) {
      conversations[c] = concat(range(0, 100), randomIds(ids, 900));
      conversations[c][100] = 1_000 + c;
    }
    Concurrently.run(
        threads,
        id -> {
          SplittableRandom random = new SplittableRandom(id);
          for (int i = 0; i < 5_000; i++) {
            int c = random.nextInt(conversations.length);
            int turn = random.nextInt(20);
            int[] prompt = Arrays.copyOf(conversations[c], 200 + 40 * turn);
            // Mostly the conversation's own worker, sometimes another (a failover).
            int worker = random.nextInt(10) == 0 ? random.nextInt(3) : c % 3;
            assertThat(sendIds(tree, worker, prompt)).isLessThanOrEqualTo(prompt.length);
          }
        });
    for (WorkerView w : FLEET) {
      sendIds(tree, FLEET.indexOf(w), 7, 7, 7);
      assertThat(tree.sizeOf(w.id())).isEqualTo(tree.recount(w.id())).isLessThanOrEqualTo(20_000);
    }
    // Whatever the threads did, a match never claims more than what some prompt holds.
    for (int[] conversation : conversations) {
      PrefixTree.Walk walk =
          tree.match(PrefixKey.tokens(TokenIds.of(conversation)), PrefixTree.walk());
      assertThat(walk.matched()).isLessThanOrEqualTo(200 + 40 * 19);
    }
  }

  private static int[] randomIds(SplittableRandom random, int n) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = random.nextInt(4); // a small alphabet, so that prompts diverge at every depth
    }
    return ids;
  }

  private static int commonPrefix(int[] a, int[] b) {
    int n = Math.min(a.length, b.length);
    int i = 0;
    while (i < n && a[i] == b[i]) {
      i++;
    }
    return i;
  }

  @Test
  void trimming_keepsEachWorkerWithinItsBudgetLeastRecentlyUsedFirst() {
    PrefixTree tree = new PrefixTree(100, true);
    send(tree, "a".repeat(40), 0);
    send(tree, "b".repeat(40), 0);
    send(tree, "a".repeat(40), 0); // "a..." is now more recent than "b..."
    send(tree, "c".repeat(40), 0); // 120 > 100: trims the least recently used, "b..."

    assertThat(tree.sizeOf("w0")).isLessThanOrEqualTo(100).isEqualTo(tree.recount("w0"));
    assertThat(matched(tree, "a".repeat(40), 0)).isEqualTo(40);
    assertThat(matched(tree, "b".repeat(40), 0)).isZero();
    assertThat(matched(tree, "c".repeat(40), 0)).isEqualTo(40);
  }

  @Test
  void trimming_oneWorkerLeavesTheOthersEntriesAlone() {
    PrefixTree tree = new PrefixTree(100, true);
    send(tree, "shared prefix " + "x".repeat(30), 1);
    for (int i = 0; i < 50; i++) {
      send(tree, "shared prefix " + i + "y".repeat(30), 0);
    }
    assertThat(tree.sizeOf("w0")).isLessThanOrEqualTo(100).isEqualTo(tree.recount("w0"));
    assertThat(matched(tree, "shared prefix " + "x".repeat(30), 1)).isEqualTo(44);
    assertThat(tree.sizeOf("w1")).isEqualTo(44);
  }

  @Test
  void trimming_keepsAPrefixThatIsStillInUse() {
    PrefixTree tree = new PrefixTree(400, true);
    String system = "system prompt ".repeat(10); // 140 chars, shared by every request
    for (int i = 0; i < 200; i++) {
      send(tree, system + "question " + i + " ".repeat(20), 0);
    }
    assertThat(tree.sizeOf("w0")).isLessThanOrEqualTo(400);
    assertThat(matched(tree, system + "new question", 0)).isGreaterThanOrEqualTo(system.length());
  }

  @Test
  void aWorkerThatLeftIsPurgedOnlyAfterTheDelay() {
    PrefixTree tree = new PrefixTree(1_000_000, true);
    List<WorkerView> all = FLEET;
    List<WorkerView> withoutW2 = List.of(all.get(0), all.get(1));
    PrefixTree.FleetIndex full = tree.index(all);
    tree.insert(
        tree.match(PrefixKey.text("w2's conversation"), PrefixTree.walk()),
        full.tenant(2), tree.tick(), full);
    long before = tree.sizeOf("w2");
    assertThat(before).isPositive();

    PrefixTree.FleetIndex partial = tree.index(withoutW2);
    for (int i = 0; i < 1000; i++) {
      PrefixTree.Walk walk = tree.match(PrefixKey.text("other " + (i % 7)), PrefixTree.walk());
      tree.insert(walk, partial.tenant(i % 2), tree.tick(), partial);
    }
    assertThat(tree.sizeOf("w2")).isEqualTo(before);

    for (int i = 0; i < PrefixTree.ABSENT_PURGE_DELAY + 1000; i++) {
      PrefixTree.Walk walk = tree.match(PrefixKey.text("other " + (i % 7)), PrefixTree.walk());
      tree.insert(walk, partial.tenant(i % 2), tree.tick(), partial);
    }
    assertThat(tree.sizeOf("w2")).isZero();
    assertThat(tree.recount("w2")).isZero();
  }

  @Test
  void aWorkerMissingOnlyFromSomeListsIsNotPurged() {
    PrefixTree tree = new PrefixTree(1_000_000, true);
    List<WorkerView> withoutW2 = List.of(FLEET.get(0), FLEET.get(1));
    send(tree, "w2's conversation", 2);
    long before = tree.sizeOf("w2");
    // A retry list without w2 now and then, the full list otherwise.
    for (int i = 0; i < 2 * PrefixTree.ABSENT_PURGE_DELAY; i++) {
      List<WorkerView> list = i % 100 == 0 ? withoutW2 : FLEET;
      PrefixTree.FleetIndex index = tree.index(list);
      PrefixTree.Walk walk = tree.match(PrefixKey.text("other " + (i % 7)), PrefixTree.walk());
      tree.insert(walk, index.tenant(i % 2), tree.tick(), index);
    }
    assertThat(tree.sizeOf("w2")).isEqualTo(before);
  }

  @Test
  void index_isCachedByListIdentity() {
    PrefixTree tree = new PrefixTree(100, true);
    assertThat(tree.index(FLEET)).isSameAs(tree.index(FLEET));
    List<WorkerView> copy = new ArrayList<>(FLEET);
    assertThat(tree.index(copy)).isNotSameAs(tree.index(FLEET));
    assertThat(tree.index(copy).candidate(tree.tenant("w1").index())).isEqualTo(1);
  }

  @Test
  void rejectsANonPositiveBudget() {
    assertThatThrownBy(() -> new PrefixTree(0, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSizePerWorker");
  }

  @Test
  void concurrentMatchAndInsert_keepsSizesConsistentAndWithinBudget() throws Exception {
    PrefixTree tree = new PrefixTree(5_000, true);
    int threads = 8;
    Concurrently.run(
        threads,
        id -> {
          SplittableRandom random = new SplittableRandom(id);
          for (int i = 0; i < 20_000; i++) {
            // Few system prompts, many conversations: heavy sharing, splits and trims.
            String text =
                "system " + random.nextInt(4) + ": " + "rules ".repeat(5)
                    + "conversation " + random.nextInt(500) + " turn " + random.nextInt(8);
            send(tree, text, random.nextInt(3));
          }
        });
    for (WorkerView w : FLEET) {
      // Trimming runs on the thread whose insert crosses the budget and may be skipped while
      // another trims; one more insert per worker trims what is left.
      send(tree, "final", FLEET.indexOf(w));
      assertThat(tree.sizeOf(w.id())).isEqualTo(tree.recount(w.id())).isLessThanOrEqualTo(5_000);
    }
  }

  @Test
  void aPrefixHeldByManyWorkersStaysConsistentThroughAddsTrimsAndThreads() throws Exception {
    List<WorkerView> big = List.copyOf(FakeWorkerView.fleet(300));
    PrefixTree tree = new PrefixTree(2_000, true);
    String system = "shared system prompt ".repeat(5);
    int threads = 6;
    Concurrently.run(
        threads,
        id -> {
          SplittableRandom random = new SplittableRandom(id);
          for (int i = 0; i < 20_000; i++) {
            PrefixTree.FleetIndex index = tree.index(big);
            String text = system + "question " + random.nextInt(2_000);
            PrefixTree.Walk walk = tree.match(PrefixKey.text(text), PrefixTree.walk());
            tree.insert(walk, index.tenant(random.nextInt(300)), tree.tick(), index);
          }
        });
    PrefixTree.FleetIndex index = tree.index(big);
    PrefixTree.Walk walk = tree.match(PrefixKey.text(system + "new"), PrefixTree.walk());
    // The system prompt's node is held by (nearly) every worker: the dense form.
    assertThat(walk.holders(0).size()).isGreaterThan(250);
    for (int w = 0; w < 300; w++) {
      tree.insert(
          tree.match(PrefixKey.text(system + "final " + w), PrefixTree.walk()),
          index.tenant(w), tree.tick(), index);
      String id = "w" + w;
      assertThat(tree.sizeOf(id)).isEqualTo(tree.recount(id)).isLessThanOrEqualTo(2_000);
    }
    // Every holder listed is found, and every worker found is listed once.
    PrefixTree.TenantSet holders =
        tree.match(PrefixKey.text(system), PrefixTree.walk()).holders(0);
    java.util.Set<Integer> listed = new java.util.HashSet<>();
    for (int i = 0; i < holders.size(); i++) {
      assertThat(listed.add(holders.tenantAt(i))).isTrue();
      assertThat(holders.find(holders.tenantAt(i))).isNotNegative();
    }
    int found = 0;
    for (int w = 0; w < 300; w++) {
      if (holders.find(tree.tenant("w" + w).index()) >= 0) {
        found++;
      }
    }
    assertThat(found).isEqualTo(listed.size());
  }

  @Test
  void aHoldersStampIsOnlyEverRaised_inEveryFormOfTheSet() {
    // One holder (Single), a few (Sorted), many (Dense).
    for (int holders : new int[] {1, 3, 200}) {
      PrefixTree.TenantSet set = PrefixTree.TenantSet.EMPTY;
      for (int t = 0; t < holders; t++) {
        set = set.with(t, 21, holders);
      }
      int at = set.find(0);
      // A request that took stamp 20 touches the node after the one that took 21.
      set.refresh(at, 20);
      assertThat(set.stamp(at)).as("%d holders", holders).isEqualTo(21);
      set.refresh(at, 22);
      assertThat(set.stamp(set.find(0))).as("%d holders", holders).isEqualTo(22);
    }
  }
}

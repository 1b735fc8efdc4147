package io.flexroute.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.GenerateRequest;
import io.flexroute.RequestOutcome;
import io.flexroute.Worker;
import io.flexroute.WorkerRole;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeRequestView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Priority groups with failover and a cooldown before moving back. */
class PriorityFailoverTest {

  private static final RequestView REQUEST = FakeRequestView.text("hello");

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  private static WorkerView worker(String id, String group, int priority) {
    return new FakeWorkerView(
        Worker.builder(id, "http://" + id + ".invalid:1").group(group).priority(priority).build());
  }

  private final WorkerView p1 = worker("p1", "primary", 1);
  private final WorkerView p2 = worker("p2", "primary", 1);
  private final WorkerView s1 = worker("s1", "secondary", 2);
  private final WorkerView t1 = worker("t1", "tertiary", 3);
  private final List<WorkerView> all = List.of(p1, p2, s1, t1);
  private final List<WorkerView> withoutPrimary = List.of(s1, t1);
  private final List<WorkerView> onlyTertiary = List.of(t1);

  private PriorityFailoverStrategy strategy(Duration cooldown, int failures) {
    return new PriorityFailoverStrategy(
        new RoundRobinStrategy(),
        PriorityFailoverConfig.builder()
            .ticker(clock::get)
            .cooldown(cooldown)
            .failoverAfterFailures(failures)
            .build());
  }

  private static Set<String> pick(PriorityFailoverStrategy s, List<WorkerView> fleet, int n) {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < n; i++) {
      ids.add(s.select(REQUEST, fleet).worker().id());
    }
    return ids;
  }

  private void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  @Test
  void trafficGoesToTheBestGroupOnly() {
    PriorityFailoverStrategy s = strategy(Duration.ofSeconds(60), 0);
    assertThat(pick(s, all, 20)).containsExactlyInAnyOrder("p1", "p2");
    assertThat(s.filter().activeGroup(null, WorkerRole.REGULAR)).isEqualTo("primary");
  }

  @Test
  void failsOverAtOnceAndMovesBackOnlyAfterTheCooldown() {
    PriorityFailoverStrategy s = strategy(Duration.ofSeconds(60), 0);
    pick(s, all, 1);
    // The primary group's workers all become ineligible.
    assertThat(pick(s, withoutPrimary, 10)).containsExactly("s1");
    // They come back at once, but the group is cooling down.
    advance(Duration.ofSeconds(30));
    assertThat(pick(s, all, 10)).containsExactly("s1");
    assertThat(s.filter().remainingCooldown(null, WorkerRole.REGULAR, "primary"))
        .isEqualTo(Duration.ofSeconds(30));
    advance(Duration.ofSeconds(31));
    assertThat(pick(s, all, 10)).containsExactlyInAnyOrder("p1", "p2");
  }

  @Test
  void aRetryWithoutTheActiveGroupsWorkersGoesElsewhereWithoutFailingOver() {
    PriorityFailoverStrategy s = strategy(Duration.ofSeconds(60), 0);
    pick(s, all, 1);
    // One request failed on p1 and p2 refused it: the router offers the rest, naming both.
    RequestView retry = FakeRequestView.text("hello").excluding(p1, p2);
    assertThat(s.select(retry, withoutPrimary).worker().id()).isEqualTo("s1");
    assertThat(s.filter().activeGroup(null, WorkerRole.REGULAR)).isEqualTo("primary");
    assertThat(s.filter().remainingCooldown(null, WorkerRole.REGULAR, "primary"))
        .isEqualTo(Duration.ZERO);
    assertThat(pick(s, all, 10)).containsExactlyInAnyOrder("p1", "p2");
    // The same list without exclusions means the group is gone: it fails over.
    assertThat(pick(s, withoutPrimary, 1)).containsExactly("s1");
    assertThat(s.filter().activeGroup(null, WorkerRole.REGULAR)).isEqualTo("secondary");
  }

  @Test
  void theCooldownCountsFromTheLastTimeTheGroupWasSeenFailing() {
    PriorityFailoverStrategy s = strategy(Duration.ofSeconds(60), 0);
    pick(s, all, 1);
    pick(s, withoutPrimary, 1);
    // A long outage: the primary stays away for five minutes, requests keep flowing.
    for (int i = 0; i < 300; i++) {
      advance(Duration.ofSeconds(1));
      assertThat(pick(s, withoutPrimary, 1)).containsExactly("s1");
    }
    // Its cooldown expired long after it failed, but it must still prove stable for a cooldown.
    advance(Duration.ofSeconds(1));
    assertThat(pick(s, all, 5)).containsExactly("s1");
    advance(Duration.ofSeconds(60));
    assertThat(pick(s, all, 5)).containsExactlyInAnyOrder("p1", "p2");
  }

  @Test
  void aFlappingGroupKeepsCoolingDown() {
    PriorityFailoverStrategy s = strategy(Duration.ofSeconds(60), 0);
    pick(s, all, 1);
    for (int i = 0; i < 10; i++) {
      pick(s, withoutPrimary, 1);
      advance(Duration.ofSeconds(40));
      assertThat(pick(s, all, 3)).containsExactly("s1");
      advance(Duration.ofSeconds(10));
    }
  }

  @Test
  void cascadesDownTheGroupsAndNeverDeclines() {
    PriorityFailoverStrategy s = strategy(Duration.ofSeconds(60), 0);
    pick(s, all, 1);
    assertThat(pick(s, withoutPrimary, 3)).containsExactly("s1");
    assertThat(pick(s, onlyTertiary, 3)).containsExactly("t1");
    // Secondary back while primary is still cooling: the better of the two that is not cooling.
    advance(Duration.ofSeconds(61));
    assertThat(pick(s, withoutPrimary, 3)).containsExactly("s1");
  }

  @Test
  void whenEveryGroupIsCoolingTheActiveOneIsKept() {
    PriorityFailoverStrategy s = strategy(Duration.ofSeconds(60), 0);
    pick(s, all, 1);
    pick(s, withoutPrimary, 1); // primary failed
    pick(s, onlyTertiary, 1); // secondary failed
    // Both come back while cooling: traffic stays on the tertiary group, which has candidates.
    assertThat(pick(s, all, 5)).containsExactly("t1");
  }

  @Test
  void consecutiveFailuresFailTheActiveGroupOver() {
    PriorityFailoverStrategy s = strategy(Duration.ofSeconds(60), 3);
    pick(s, all, 1);
    for (int i = 0; i < 3; i++) {
      s.onComplete(
          new RequestFeedback(
              REQUEST, p1, RequestOutcome.WORKER_ERROR, Duration.ofMillis(1), null, null));
    }
    assertThat(pick(s, all, 5)).containsExactly("s1");
    advance(Duration.ofSeconds(61));
    assertThat(pick(s, all, 5)).containsExactlyInAnyOrder("p1", "p2");
  }

  @Test
  void aSuccessResetsTheFailureCountAndCancellationsDoNotCount() {
    PriorityFailoverStrategy s = strategy(Duration.ofSeconds(60), 3);
    pick(s, all, 1);
    List<RequestOutcome> outcomes =
        List.of(
            RequestOutcome.WORKER_ERROR, RequestOutcome.TIMEOUT, RequestOutcome.SUCCESS,
            RequestOutcome.WORKER_ERROR, RequestOutcome.CANCELLED, RequestOutcome.WORKER_ERROR);
    for (RequestOutcome o : outcomes) {
      s.onComplete(new RequestFeedback(REQUEST, p1, o, Duration.ofMillis(1), null, null));
    }
    assertThat(pick(s, all, 5)).containsExactlyInAnyOrder("p1", "p2");
  }

  @Test
  void eachModelFailsOverOnItsOwn() {
    PriorityFailoverStrategy s = strategy(Duration.ofSeconds(60), 0);
    RequestView forA =
        new FakeRequestView(GenerateRequest.builder().text("a").model("a").build(), false);
    RequestView forB =
        new FakeRequestView(GenerateRequest.builder().text("b").model("b").build(), false);
    // Model a is served by the secondary and tertiary groups only; model b by all.
    assertThat(s.select(forA, withoutPrimary).worker().id()).isEqualTo("s1");
    assertThat(s.select(forB, all).worker().id()).isIn("p1", "p2");
    assertThat(s.select(forA, withoutPrimary).worker().id()).isEqualTo("s1");
    assertThat(s.select(forB, all).worker().id()).isIn("p1", "p2");
    assertThat(s.filter().activeGroup("a", WorkerRole.REGULAR)).isEqualTo("secondary");
    assertThat(s.filter().activeGroup("b", WorkerRole.REGULAR)).isEqualTo("primary");
  }

  @Test
  void theWrappedStrategySeesOneSubListPerGroupAndEveryCompletion() {
    List<List<WorkerView>> seen = new ArrayList<>();
    List<RequestFeedback> completions = new ArrayList<>();
    io.flexroute.spi.RoutingStrategy recording =
        new io.flexroute.spi.RoutingStrategy() {
          @Override
          public String name() {
            return "recording";
          }

          @Override
          public io.flexroute.spi.Choice select(RequestView r, List<WorkerView> candidates) {
            seen.add(candidates);
            return io.flexroute.spi.Choice.of(candidates.get(0));
          }

          @Override
          public void onComplete(RequestFeedback feedback) {
            completions.add(feedback);
          }
        };
    PriorityFailoverStrategy s =
        new PriorityFailoverStrategy(recording, PriorityFailoverConfig.defaults());
    s.select(REQUEST, all);
    s.select(REQUEST, all);
    assertThat(seen.get(0)).containsExactly(p1, p2);
    assertThat(seen.get(1)).isSameAs(seen.get(0));
    s.onComplete(
        new RequestFeedback(REQUEST, p1, RequestOutcome.SUCCESS, Duration.ofMillis(1), null,
            null));
    assertThat(completions).hasSize(1);
    assertThat(s.name()).isEqualTo("priority_failover_recording");
    assertThat(new PriorityFailoverStrategy().name()).isEqualTo("priority_failover");
  }
}

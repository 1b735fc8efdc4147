package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  private static int retriesAllowed(RetryBudget budget, int asked) {
    int allowed = 0;
    for (int i = 0; i < asked; i++) {
      if (budget.tryRetry()) {
        allowed++;
      }
    }
    return allowed;
  }

  @Test
  void allowsRetriesInProportionToTheRequestsCounted() {
    RetryBudget budget = new RetryBudget(0.5, 0);
    long now = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      budget.recordRequest(now);
    }
    assertThat(retriesAllowed(budget, 20)).isEqualTo(5);
  }

  @Test
  void allowsTheMinimumPerSecondWithoutRequests() {
    RetryBudget budget = new RetryBudget(0.2, 1);
    assertThat(retriesAllowed(budget, 30)).isEqualTo(10);
  }

  @Test
  void countsRequestsInEveryBucketOfTheWindow() {
    RetryBudget budget = new RetryBudget(1.0, 0);
    long now = System.nanoTime();
    // Nine requests one second apart, the oldest first: all in the window even if a second
    // passes before the retries are asked for.
    for (int i = 8; i >= 0; i--) {
      budget.recordRequest(now - i * 1_000_000_000L);
    }
    assertThat(retriesAllowed(budget, 20)).isEqualTo(9);
  }

  @Test
  void forgetsRequestsOlderThanTheWindow() {
    RetryBudget budget = new RetryBudget(1.0, 0);
    long now = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      budget.recordRequest(now - 60_000_000_000L);
    }
    budget.recordRequest(now);
    assertThat(retriesAllowed(budget, 20)).isEqualTo(1);
  }

  @Test
  void countsEveryRequestWhenThreadsOpenTheSameSecondsTogether() throws Exception {
    RetryBudget budget = new RetryBudget(1.0, 0);
    long now = System.nanoTime();
    int threads = 4;
    int seconds = 9; // one second short of the window, in case a second passes during the test
    int perSecond = 2_000;
    CyclicBarrier nextSecond = new CyclicBarrier(threads);
    List<Thread> callers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread caller =
          new Thread(
              () -> {
                try {
                  for (int s = seconds - 1; s >= 0; s--) {
                    nextSecond.await(); // every thread enters each second at once
                    long at = now - s * 1_000_000_000L;
                    for (int i = 0; i < perSecond; i++) {
                      budget.recordRequest(at);
                    }
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      caller.start();
      callers.add(caller);
    }
    for (Thread caller : callers) {
      caller.join(30_000);
      assertThat(caller.isAlive()).isFalse();
    }

    int total = threads * seconds * perSecond;
    assertThat(retriesAllowed(budget, total + 10)).isEqualTo(total);
  }
}

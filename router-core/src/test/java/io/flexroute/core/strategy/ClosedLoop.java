package io.flexroute.core.strategy;

import io.flexroute.RequestOutcome;
import io.flexroute.spi.RequestFeedback;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.RoutingStrategy;
import io.flexroute.spi.WorkerView;
import io.flexroute.testkit.fake.FakeWorkerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * Drives a strategy the way a router does, on one thread: each selection takes an in-flight slot on
 * the chosen fake worker, and once {@code concurrency} requests are running, a random one of them
 * ends (slot released, strategy told). Reports how evenly the running requests were spread.
 */
final class ClosedLoop {

  /** What a run measured. */
  record Stats(Map<String, Integer> served, double meanImbalance, int maxSpread) {}

  private ClosedLoop() {}

  static Stats run(
      RoutingStrategy strategy,
      List<WorkerView> fleet,
      IntFunction<RequestView> requests,
      int total,
      int concurrency,
      long seed) {
    return run(strategy, fleet, requests, total, concurrency, seed, (i, w) -> {});
  }

  static Stats run(
      RoutingStrategy strategy,
      List<WorkerView> fleet,
      IntFunction<RequestView> requests,
      int total,
      int concurrency,
      long seed,
      BiConsumer<Integer, WorkerView> onChosen) {
    SplittableRandom random = new SplittableRandom(seed);
    List<RequestView> runningRequests = new ArrayList<>();
    List<FakeWorkerView> runningOn = new ArrayList<>();
    Map<String, Integer> served = new HashMap<>();
    double imbalanceSum = 0;
    int measured = 0;
    int maxSpread = 0;
    for (int i = 0; i < total; i++) {
      if (runningRequests.size() == concurrency) {
        int end = random.nextInt(concurrency);
        RequestView done = runningRequests.remove(end);
        FakeWorkerView worker = runningOn.remove(end);
        worker.addInFlight(-1);
        strategy.onComplete(
            new RequestFeedback(
                done, worker, RequestOutcome.SUCCESS, Duration.ofMillis(5), null, null));
      }
      RequestView request = requests.apply(i);
      FakeWorkerView chosen = (FakeWorkerView) strategy.select(request, fleet).worker();
      chosen.addInFlight(1);
      onChosen.accept(i, chosen);
      runningRequests.add(request);
      runningOn.add(chosen);
      served.merge(chosen.id(), 1, Integer::sum);
      if (i >= total / 5) {
        int max = 0;
        int min = Integer.MAX_VALUE;
        for (WorkerView w : fleet) {
          max = Math.max(max, w.inFlightRequests());
          min = Math.min(min, w.inFlightRequests());
        }
        double mean = (double) runningRequests.size() / fleet.size();
        imbalanceSum += max / mean;
        measured++;
        maxSpread = Math.max(maxSpread, max - min);
      }
    }
    for (int k = 0; k < runningRequests.size(); k++) {
      runningOn.get(k).addInFlight(-1);
      strategy.onComplete(
          new RequestFeedback(
              runningRequests.get(k), runningOn.get(k), RequestOutcome.SUCCESS,
              Duration.ofMillis(5), null, null));
    }
    return new Stats(served, imbalanceSum / measured, maxSpread);
  }

  /** A fresh fleet of {@code n} fake workers, as one immutable list (like the router's). */
  static List<WorkerView> fleet(int n) {
    return List.copyOf(FakeWorkerView.fleet(n));
  }

  /** A success report for a request on a worker. */
  static RequestFeedback success(RequestView request, WorkerView worker, Duration duration) {
    return new RequestFeedback(request, worker, RequestOutcome.SUCCESS, duration, null, null);
  }
}

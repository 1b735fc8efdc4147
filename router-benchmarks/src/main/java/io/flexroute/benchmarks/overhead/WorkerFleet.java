package io.flexroute.benchmarks.overhead;

import io.flexroute.testkit.worker.FakeWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * Starts fake workers (the test kit's {@link FakeWorker}, real HTTP servers on {@code 127.0.0.1}) in
 * a process of their own, so that a benchmark client in another JVM can measure its own CPU time
 * without the workers'. Prints one line, {@code ports P1 P2 ...}, once every worker listens, then
 * serves until the process is stopped.
 *
 * <pre>{@code
 * java -cp router-benchmarks/target/benchmarks.jar io.flexroute.benchmarks.overhead.WorkerFleet 2
 * }</pre>
 *
 * <p>The workers answer at once (no time to first token, no delay between tokens), keep no request
 * log beyond the last request and no fake prefix cache, so that they spend as little CPU per
 * request as the fake allows. Not thread-safe; a command-line program.
 */
public final class WorkerFleet {

  /** The model name the workers serve. */
  public static final String MODEL = "fake-model";

  private WorkerFleet() {}

  /**
   * Starts the workers and serves until the process is stopped.
   *
   * @param args the number of workers (default 2)
   * @throws InterruptedException if interrupted while serving
   */
  public static void main(String[] args) throws InterruptedException {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    if (count < 1) {
      throw new IllegalArgumentException("worker count must be >= 1, but was " + count);
    }
    List<FakeWorker> workers = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> workers.forEach(FakeWorker::close)));
    for (int i = 0; i < count; i++) {
      workers.add(start());
    }
    System.out.println(
        "ports "
            + workers.stream().map(w -> String.valueOf(w.port())).collect(Collectors.joining(" ")));
    System.out.flush();
    new CountDownLatch(1).await();
  }

  /**
   * Starts one worker configured for overhead measurements.
   *
   * @return the running worker
   */
  static FakeWorker start() {
    return FakeWorker.builder()
        .model(MODEL)
        .requestLogCapacity(1)
        .prefixCacheCapacity(0)
        .start();
  }
}

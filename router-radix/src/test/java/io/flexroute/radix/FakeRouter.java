package io.flexroute.radix;

import io.flexroute.FinishReason;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.Router;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.TokenUsage;
import io.flexroute.WeightVersionSpan;
import io.flexroute.Worker;
import io.flexroute.fleet.Fleet;
import io.flexroute.fleet.WeightVersionListener;
import io.flexroute.spi.WorkerView;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A scripted in-memory {@link Router} for rollout tests: {@code generateAsync} answers from a queue
 * of scripted replies, or by default with {@link #output} tokens, and records every request. Only
 * {@code generateAsync}, {@code fleet} (weight-version listeners only), {@code isClosed}, {@code
 * close} and {@code toString} are implemented (the object is a {@link Proxy}, so new router methods
 * need no change here). Thread-safe.
 */
final class FakeRouter {

  /** The logprob the default answer gives output token {@code i}. */
  static float logprob(int i) {
    return -0.25f * (i + 1);
  }

  private final List<GenerateRequest> requests = new ArrayList<>();
  private final Deque<Function<GenerateRequest, CompletableFuture<GenerateResult>>> script =
      new ArrayDeque<>();
  private volatile int[] output = new int[0];
  private volatile String text = "";
  private volatile @Nullable String weightVersion = "1";
  private volatile List<WeightVersionSpan> spans = List.of();
  private final Router router;
  private final List<WeightVersionListener> versionListeners = new CopyOnWriteArrayList<>();
  private final Fleet fleet =
      (Fleet)
          Proxy.newProxyInstance(
              Fleet.class.getClassLoader(),
              new Class<?>[] {Fleet.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "addWeightVersionListener":
                    WeightVersionListener l = (WeightVersionListener) args[0];
                    versionListeners.add(l);
                    return (AutoCloseable) () -> versionListeners.remove(l);
                  case "toString":
                    return "FakeFleet";
                  case "hashCode":
                    return System.identityHashCode(proxy);
                  case "equals":
                    return proxy == args[0];
                  default:
                    throw new UnsupportedOperationException(method.getName());
                }
              });

  FakeRouter() {
    this.router =
        (Router)
            Proxy.newProxyInstance(
                Router.class.getClassLoader(),
                new Class<?>[] {Router.class},
                (proxy, method, args) -> {
                  switch (method.getName()) {
                    case "generateAsync":
                      return generate((GenerateRequest) args[0]);
                    case "fleet":
                      return fleet;
                    case "isClosed":
                      return false;
                    case "close":
                      return null;
                    case "toString":
                      return "FakeRouter";
                    case "hashCode":
                      return System.identityHashCode(proxy);
                    case "equals":
                      return proxy == args[0];
                    default:
                      throw new UnsupportedOperationException(method.getName());
                  }
                });
  }

  Router router() {
    return router;
  }

  /** Sets the default answer: these output ids, decoded as {@code text}. */
  FakeRouter output(int[] ids, String text) {
    this.output = ids.clone();
    this.text = text;
    return this;
  }

  FakeRouter weightVersion(@Nullable String version) {
    this.weightVersion = version;
    return this;
  }

  /** Sets the weight version spans of the default answers (empty: none reported). */
  FakeRouter spans(List<WeightVersionSpan> spans) {
    this.spans = List.copyOf(spans);
    return this;
  }

  synchronized FakeRouter then(Function<GenerateRequest, CompletableFuture<GenerateResult>> reply) {
    script.add(reply);
    return this;
  }

  FakeRouter thenAbort(String message) {
    return then(
        r ->
            CompletableFuture.completedFuture(
                result(
                    r,
                    new int[0],
                    new double[0],
                    new FinishReason(FinishReason.Type.ABORT, "abort", null, null, message))));
  }

  FakeRouter thenFail(RuntimeException e) {
    return then(r -> CompletableFuture.failedFuture(e));
  }

  /** The number of weight-version listeners registered through {@code router().fleet()}. */
  int versionListenerCount() {
    return versionListeners.size();
  }

  /** Tells the registered listeners that a worker's known weight version changed. */
  void versionChanged(String workerId, @Nullable String previous, String current) {
    Worker worker = Worker.of(workerId, "http://127.0.0.1:1");
    WorkerView view =
        (WorkerView)
            Proxy.newProxyInstance(
                WorkerView.class.getClassLoader(),
                new Class<?>[] {WorkerView.class},
                (proxy, method, args) -> {
                  switch (method.getName()) {
                    case "worker":
                      return worker;
                    case "id":
                      return workerId;
                    case "weightVersion":
                      return current;
                    case "toString":
                      return "FakeWorkerView{" + workerId + "}";
                    default:
                      throw new UnsupportedOperationException(method.getName());
                  }
                });
    for (WeightVersionListener l : versionListeners) {
      l.weightVersionChanged(view, previous, current);
    }
  }

  synchronized List<GenerateRequest> requests() {
    return List.copyOf(requests);
  }

  private CompletableFuture<GenerateResult> generate(GenerateRequest request) {
    Function<GenerateRequest, CompletableFuture<GenerateResult>> reply;
    synchronized (this) {
      requests.add(request);
      reply = script.poll();
    }
    if (reply != null) {
      return reply.apply(request);
    }
    int[] ids = output;
    double[] lps = new double[ids.length];
    for (int i = 0; i < ids.length; i++) {
      lps[i] = logprob(i);
    }
    return CompletableFuture.completedFuture(
        result(request, ids, lps, new FinishReason(FinishReason.Type.STOP, "stop", null, null, null)));
  }

  GenerateResult result(GenerateRequest request, int[] ids, double[] lps, FinishReason finish) {
    int n;
    synchronized (this) {
      n = requests.size();
    }
    TokenIds prompt = request.inputIds();
    return new GenerateResult(
        "req-" + n,
        "w1",
        text,
        TokenIds.of(ids),
        TokenLogprobs.of(lps),
        finish,
        new TokenUsage(prompt == null ? 0 : prompt.size(), ids.length, 0),
        weightVersion,
        ids.length == 0 ? List.of() : spans);
  }
}

package io.flexroute.testkit.fake;

import io.flexroute.ChatRequest;
import io.flexroute.GenerateRequest;
import io.flexroute.InferenceRequest;
import io.flexroute.Operation;
import io.flexroute.TokenIds;
import io.flexroute.WorkerRole;
import io.flexroute.spi.RequestView;
import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RequestView} over a real request, for calling a strategy directly in a test. Immutable
 * and thread-safe.
 */
public final class FakeRequestView implements RequestView {

  private static final AtomicLong IDS = new AtomicLong();

  private final InferenceRequest request;
  private final String requestId;
  private final boolean streaming;
  private final List<WorkerView> excluded;

  /**
   * Wraps a request.
   *
   * @param request the request
   * @param streaming whether it is a stream
   */
  public FakeRequestView(InferenceRequest request, boolean streaming) {
    this.request = Objects.requireNonNull(request, "request");
    String id = request.requestId();
    this.requestId = id != null ? id : "fake-" + IDS.incrementAndGet();
    this.streaming = streaming;
    this.excluded = List.of();
  }

  private FakeRequestView(FakeRequestView base, List<WorkerView> excluded) {
    this.request = base.request;
    this.requestId = base.requestId;
    this.streaming = base.streaming;
    this.excluded = excluded;
  }

  /**
   * The view of this request for a later selection that leaves workers out, as the router passes
   * on a retry (the request failed on them) or after they refused the request.
   *
   * @param workers the excluded workers
   * @return a view of the same request whose {@link #excludedWorkers()} are {@code workers}
   */
  public FakeRequestView excluding(WorkerView... workers) {
    return new FakeRequestView(this, List.of(workers));
  }

  /**
   * A non-streaming generate request view for a text prompt.
   *
   * @param prompt the prompt
   * @return the view
   */
  public static FakeRequestView text(String prompt) {
    return new FakeRequestView(GenerateRequest.ofText(prompt), false);
  }

  /**
   * A non-streaming generate request view for token ids.
   *
   * @param ids the prompt's token ids
   * @return the view
   */
  public static FakeRequestView tokens(int... ids) {
    return new FakeRequestView(GenerateRequest.builder().inputIds(TokenIds.of(ids)).build(), false);
  }

  /**
   * A non-streaming chat request view with one user message and a routing key.
   *
   * @param message the user message
   * @param routingKey the routing key, or null
   * @return the view
   */
  public static FakeRequestView chat(String message, @Nullable String routingKey) {
    return new FakeRequestView(
        ChatRequest.builder()
            .message(io.flexroute.ChatMessage.user(message))
            .routingKey(routingKey)
            .build(),
        false);
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public Operation operation() {
    return request.operation();
  }

  @Override
  public @Nullable String model() {
    return request.model();
  }

  @Override
  public WorkerRole role() {
    return request.role();
  }

  @Override
  public @Nullable String routingKey() {
    return request.routingKey();
  }

  @Override
  public @Nullable String promptText() {
    return request.promptText();
  }

  @Override
  public @Nullable TokenIds promptTokenIds() {
    return request.promptTokenIds();
  }

  @Override
  public int estimatedPromptTokens() {
    TokenIds ids = request.promptTokenIds();
    if (ids != null) {
      return Math.max(1, ids.size());
    }
    String text = request.promptText();
    return text == null ? 1 : Math.max(1, (text.length() + 3) / 4);
  }

  @Override
  public Map<String, String> hints() {
    return request.hints();
  }

  @Override
  public List<WorkerView> excludedWorkers() {
    return excluded;
  }

  @Override
  public boolean streaming() {
    return streaming;
  }

  @Override
  public InferenceRequest request() {
    return request;
  }
}

package io.flexroute.testkit.sim.internal;

import io.flexroute.InferenceRequest;
import io.flexroute.Operation;
import io.flexroute.TokenIds;
import io.flexroute.WorkerRole;
import io.flexroute.spi.RequestView;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A simulated request as strategies see it; the estimated prompt length follows the router's rule
 * (exact for token ids, one token per four characters of text). Immutable and thread-safe.
 */
final class SimRequestView implements RequestView {

  private final InferenceRequest request;
  private final String requestId;
  private final boolean streaming;
  private final int estimatedPromptTokens;

  SimRequestView(InferenceRequest request, String requestId, boolean streaming) {
    this.request = request;
    this.requestId = requestId;
    this.streaming = streaming;
    TokenIds ids = request.promptTokenIds();
    String text = request.promptText();
    this.estimatedPromptTokens =
        ids != null
            ? Math.max(1, ids.size())
            : text == null ? 1 : Math.max(1, (text.length() + 3) / 4);
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
    return estimatedPromptTokens;
  }

  @Override
  public Map<String, String> hints() {
    return request.hints();
  }

  @Override
  public boolean streaming() {
    return streaming;
  }

  @Override
  public InferenceRequest request() {
    return request;
  }

  @Override
  public String toString() {
    return "RequestView{" + requestId + "}";
  }
}

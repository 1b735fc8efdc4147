package io.flexroute.core.internal;

import io.flexroute.InferenceRequest;
import io.flexroute.Operation;
import io.flexroute.TokenIds;
import io.flexroute.WorkerRole;
import io.flexroute.spi.RequestView;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The strategy's view of one request; the prompt text is computed lazily by the request. */
final class RequestViewImpl implements RequestView {

  private final InferenceRequest request;
  private final String requestId;
  private final boolean streaming;
  private final int estimatedPromptTokens;

  RequestViewImpl(InferenceRequest request, String requestId, boolean streaming) {
    this.request = request;
    this.requestId = requestId;
    this.streaming = streaming;
    this.estimatedPromptTokens = estimateTokens(request);
  }

  private static int estimateTokens(InferenceRequest request) {
    TokenIds ids = request.promptTokenIds();
    if (ids != null) {
      return Math.max(1, ids.size());
    }
    // About four characters per token for English text with BPE tokenizers.
    return Math.max(1, (request.promptTextLength() + 3) / 4);
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
    return "RequestView{" + requestId + ", " + request.operation() + ", model=" + request.model()
        + "}";
  }
}

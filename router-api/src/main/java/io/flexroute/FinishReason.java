package io.flexroute;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why a worker stopped generating.
 *
 * <p>SGLang's native API reports an object ({@code {"type":"stop","matched":151645}}); the OpenAI API
 * a string ({@code "stop"}). Both map onto this type. Instances are immutable and thread-safe.
 *
 * @param type the kind of reason
 * @param raw the worker's own name for the reason (such as {@code "tool_calls"}), never null
 * @param matchedTokenId the stop token id that matched, if the worker said so
 * @param matchedText the stop string that matched, if the worker said so
 * @param message the worker's explanation for an abort, if any
 */
public record FinishReason(
    Type type,
    String raw,
    @Nullable Integer matchedTokenId,
    @Nullable String matchedText,
    @Nullable String message) {

  /** The kinds of finish reason. */
  public enum Type {
    /** An end-of-sequence token or a stop string or token was produced. */
    STOP,
    /** The maximum number of new tokens or the context window was reached. */
    LENGTH,
    /**
     * The worker aborted the request (for example during a weight update, or when its queue was
     * full). The output may be partial.
     */
    ABORT,
    /** The model called a tool (OpenAI {@code tool_calls}). */
    TOOL_CALLS,
    /** Any other reason; see {@link FinishReason#raw()}. */
    OTHER
  }

  /**
   * Validates the fields.
   *
   * @param type the kind of reason
   * @param raw the worker's own name for the reason (such as {@code "tool_calls"}), never null
   * @param matchedTokenId the stop token id that matched, if the worker said so
   * @param matchedText the stop string that matched, if the worker said so
   * @param message the worker's explanation for an abort, if any
   * @throws NullPointerException if {@code type} or {@code raw} is null
   */
  public FinishReason {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(raw, "raw");
  }

  /**
   * Maps an OpenAI-style finish reason string.
   *
   * @param raw the string, such as {@code "stop"}, {@code "length"} or {@code "abort"}
   * @return the finish reason
   * @throws NullPointerException if {@code raw} is null
   */
  public static FinishReason of(String raw) {
    Type type =
        switch (Objects.requireNonNull(raw, "raw")) {
          case "stop", "eos" -> Type.STOP;
          case "length" -> Type.LENGTH;
          case "abort" -> Type.ABORT;
          case "tool_calls", "function_call" -> Type.TOOL_CALLS;
          default -> Type.OTHER;
        };
    return new FinishReason(type, raw, null, null, null);
  }

  /**
   * Whether the worker aborted the request.
   *
   * @return {@code true} for {@link Type#ABORT}
   */
  public boolean isAbort() {
    return type == Type.ABORT;
  }
}

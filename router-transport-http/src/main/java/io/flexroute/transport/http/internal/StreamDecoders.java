package io.flexroute.transport.http.internal;

import io.flexroute.ChatChunk;
import io.flexroute.CompletionChunk;
import io.flexroute.GenerateChunk;
import io.flexroute.Worker;

/**
 * Creates the stream decoder of each endpoint; one per stream.
 *
 * <p>Stateless and thread-safe.
 */
public final class StreamDecoders {

  private StreamDecoders() {}

  /**
   * A decoder for SGLang {@code /generate} streams.
   *
   * @param json the JSON codec
   * @param failures the failure mapper
   * @param worker the worker
   * @param requestId the call's request id
   * @return a new decoder
   */
  public static StreamDecoder<GenerateChunk> generate(
      JsonCodec json, Failures failures, Worker worker, String requestId) {
    return new GenerateStreamDecoder(json, failures, worker, requestId);
  }

  /**
   * A decoder for chat completion streams.
   *
   * @param codec the OpenAI codec
   * @param json the JSON codec
   * @param failures the failure mapper
   * @param worker the worker
   * @param requestId the call's request id
   * @return a new decoder
   */
  public static StreamDecoder<ChatChunk> chat(
      OpenAiCodec codec, JsonCodec json, Failures failures, Worker worker, String requestId) {
    return OpenAiStreamDecoder.chat(codec, json, failures, worker, requestId);
  }

  /**
   * A decoder for text completion streams.
   *
   * @param codec the OpenAI codec
   * @param json the JSON codec
   * @param failures the failure mapper
   * @param worker the worker
   * @param requestId the call's request id
   * @return a new decoder
   */
  public static StreamDecoder<CompletionChunk> completion(
      OpenAiCodec codec, JsonCodec json, Failures failures, Worker worker, String requestId) {
    return OpenAiStreamDecoder.completion(codec, json, failures, worker, requestId);
  }
}

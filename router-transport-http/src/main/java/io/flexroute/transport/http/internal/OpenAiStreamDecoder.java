package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.ChatChunk;
import io.flexroute.CompletionChunk;
import io.flexroute.TextCompletion;
import io.flexroute.Worker;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Turns OpenAI-compatible stream events (already deltas) into chunks.
 *
 * <p>The stream is complete at {@code data: [DONE]}. A body that ends without {@code [DONE]} is
 * still complete when some chunk carried a finish reason (a few servers omit the marker); without
 * one it is a {@code MALFORMED_RESPONSE} failure.
 *
 * <p>Not thread-safe: one per stream, used by the pulling thread.
 *
 * @param <T> the chunk type
 */
final class OpenAiStreamDecoder<T> implements StreamDecoder<T> {

  private final JsonCodec json;
  private final Failures failures;
  private final Worker worker;
  private final Function<JsonNode, T> reader;
  private final Function<SseEvent, @Nullable T> fastReader;
  private final Predicate<T> finishes;
  private boolean sawFinish;

  private OpenAiStreamDecoder(
      JsonCodec json,
      Failures failures,
      Worker worker,
      Function<JsonNode, T> reader,
      Function<SseEvent, @Nullable T> fastReader,
      Predicate<T> finishes) {
    this.json = json;
    this.failures = failures;
    this.worker = worker;
    this.reader = reader;
    this.fastReader = fastReader;
    this.finishes = finishes;
  }

  static OpenAiStreamDecoder<ChatChunk> chat(
      OpenAiCodec codec, JsonCodec json, Failures failures, Worker worker, String requestId) {
    return new OpenAiStreamDecoder<>(
        json,
        failures,
        worker,
        root -> codec.decodeChatChunk(root, requestId, worker.id()),
        event -> codec.fastPath().chat(event, requestId, worker.id()),
        OpenAiStreamDecoder::finishesChat);
  }

  static OpenAiStreamDecoder<CompletionChunk> completion(
      OpenAiCodec codec, JsonCodec json, Failures failures, Worker worker, String requestId) {
    return new OpenAiStreamDecoder<>(
        json,
        failures,
        worker,
        root -> codec.decodeCompletionChunk(root, requestId, worker.id()),
        event -> codec.fastPath().completion(event, requestId, worker.id()),
        OpenAiStreamDecoder::finishesCompletion);
  }

  // Plain loops: these run on every event of every stream.
  private static boolean finishesChat(ChatChunk chunk) {
    for (ChatChunk.Delta delta : chunk.deltas()) {
      if (delta.finishReason() != null) {
        return true;
      }
    }
    return false;
  }

  private static boolean finishesCompletion(CompletionChunk chunk) {
    for (TextCompletion.Choice choice : chunk.choices()) {
      if (choice.finishReason() != null) {
        return true;
      }
    }
    return false;
  }

  @Override
  public @Nullable T decode(SseEvent event) {
    // Plain chunks are read straight from the bytes; error events, odd shapes and malformed JSON
    // take the tree path, which says what is wrong.
    T chunk = event.event() == null ? fastReader.apply(event) : null;
    if (chunk == null) {
      JsonNode root = EventJson.parse(event, json, failures, worker);
      if (root == null) {
        return null;
      }
      chunk = reader.apply(root);
    }
    if (finishes.test(chunk)) {
      sawFinish = true;
    }
    return chunk;
  }

  @Override
  public void end(boolean sawDone) {
    if (!sawDone && !sawFinish) {
      throw failures.malformed(
          worker, "stream ended before completion: no finish reason and no [DONE]", null);
    }
  }
}

package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.flexroute.Worker;
import org.jspecify.annotations.Nullable;

/**
 * Reads the JSON of one stream event and turns error events into exceptions; shared by every stream
 * decoder.
 *
 * <p>Stateless and thread-safe.
 */
final class EventJson {

  private EventJson() {}

  /**
   * The event's JSON object.
   *
   * @param event the event
   * @param json the codec
   * @param failures the failure mapper
   * @param worker the worker
   * @return the object, or null for an event with blank data (skipped)
   * @throws io.flexroute.WorkerException of kind {@code STREAM_ERROR} for {@code data:
   *     {"error":...}}, a flat {@code {"object":"error",...}} or an {@code event: error}
   * @throws JsonShapeException if the data is not a JSON object
   */
  static @Nullable JsonNode parse(
      SseEvent event, JsonCodec json, Failures failures, Worker worker) {
    String data = event.data();
    if ("error".equals(event.event())) {
      throw failures.streamError(worker, json.tryParse(data), data);
    }
    if (data.isBlank()) {
      return null;
    }
    JsonNode root = json.parse(data, "stream event");
    if (!root.isObject()) {
      throw new JsonShapeException(
          "stream event must be a JSON object, but was " + JsonNodes.describe(root));
    }
    if (isError(root)) {
      throw failures.streamError(worker, root, data);
    }
    return root;
  }

  /**
   * Whether a document is an error report rather than a result.
   *
   * @param root the document
   * @return {@code true} for {@code {"error":...}} and {@code {"object":"error",...}}
   */
  static boolean isError(JsonNode root) {
    JsonNode object = JsonNodes.field(root, "object");
    return JsonNodes.field(root, "error") != null
        || (object != null && "error".equals(object.asText()));
  }
}

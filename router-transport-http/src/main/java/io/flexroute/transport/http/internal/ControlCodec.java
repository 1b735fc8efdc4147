package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.ControlOperation;
import io.flexroute.fleet.ControlRejectedException;
import io.flexroute.fleet.ControlUnsupportedException;
import io.flexroute.fleet.InitWeightsUpdateGroup;
import io.flexroute.fleet.PauseMode;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.UpdateWeightsFromDistributed;
import io.flexroute.fleet.WorkerInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps SGLang's control endpoints: the bodies of weight updates, weight-update groups, version
 * labels, pauses and continues; their {@code {success, message, ...}} answers; {@code
 * weight_version} from {@code /get_model_info}; and {@code /get_server_info} as plain Java values.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ControlCodec {

  private final JsonCodec json;
  private final Failures failures;

  /**
   * Creates the codec.
   *
   * @param json the JSON codec
   * @param failures the failure mapper, for error bodies
   */
  public ControlCodec(JsonCodec json, Failures failures) {
    this.json = json;
    this.failures = failures;
  }

  /**
   * The body of {@code POST /update_weights_from_disk}.
   *
   * @param update the update
   * @return the body
   */
  public byte[] updateFromDisk(UpdateWeightsFromDisk update) {
    ObjectNode body = json.newObject();
    body.put("model_path", update.modelPath());
    if (update.loadFormat() != null) {
      body.put("load_format", update.loadFormat());
    }
    body.put("abort_all_requests", update.abortAllRequests());
    if (update.weightVersion() != null) {
      body.put("weight_version", update.weightVersion());
    }
    if (update.flushCache() != null) {
      body.put("flush_cache", update.flushCache());
    }
    putOptions(body, update.options());
    return json.write(body);
  }

  /**
   * The body of {@code POST /init_weights_update_group} for one worker.
   *
   * @param group the group
   * @param rankOffset the worker's first rank
   * @return the body
   */
  public byte[] initGroup(InitWeightsUpdateGroup group, int rankOffset) {
    ObjectNode body = json.newObject();
    body.put("master_address", group.masterAddress());
    body.put("master_port", group.masterPort());
    body.put("rank_offset", rankOffset);
    body.put("world_size", group.worldSize());
    body.put("group_name", group.groupName());
    body.put("backend", group.backend());
    return json.write(body);
  }

  /**
   * The body of {@code POST /update_weights_from_distributed}: the tensors as the parallel lists
   * {@code names}, {@code dtypes} and {@code shapes}.
   *
   * @param update the update
   * @return the body
   */
  public byte[] updateFromDistributed(UpdateWeightsFromDistributed update) {
    ObjectNode body = json.newObject();
    ArrayNode names = body.putArray("names");
    ArrayNode dtypes = body.putArray("dtypes");
    ArrayNode shapes = body.putArray("shapes");
    for (UpdateWeightsFromDistributed.Tensor t : update.tensors()) {
      names.add(t.name());
      dtypes.add(t.dtype());
      ArrayNode shape = shapes.addArray();
      for (int d : t.shape()) {
        shape.add(d);
      }
    }
    body.put("group_name", update.groupName());
    body.put("abort_all_requests", update.abortAllRequests());
    if (update.weightVersion() != null) {
      body.put("weight_version", update.weightVersion());
    }
    if (update.loadFormat() != null) {
      body.put("load_format", update.loadFormat());
    }
    if (update.flushCache() != null) {
      body.put("flush_cache", update.flushCache());
    }
    putOptions(body, update.options());
    return json.write(body);
  }

  /**
   * The body of {@code POST /update_weight_version}.
   *
   * @param newVersion the new label
   * @param abortAllRequests whether to abort running requests
   * @return the body
   */
  public byte[] updateWeightVersion(String newVersion, boolean abortAllRequests) {
    ObjectNode body = json.newObject();
    body.put("new_version", newVersion);
    body.put("abort_all_requests", abortAllRequests);
    return json.write(body);
  }

  /**
   * The body of {@code POST /pause_generation}: {@code {"mode": ...}}, which builds without modes
   * ignore.
   *
   * @param mode the mode
   * @return the body
   */
  public byte[] pause(PauseMode mode) {
    ObjectNode body = json.newObject();
    body.put("mode", mode.wireValue());
    return json.write(body);
  }

  /**
   * An empty JSON object, the body of {@code /continue_generation} and {@code /flush_cache}:
   * every SGLang version accepts it.
   *
   * @return {@code {}}
   */
  public byte[] empty() {
    return json.write(json.newObject());
  }

  /**
   * Reads a successful (2xx) answer to a control call: a JSON object with {@code success}, {@code
   * message}, and perhaps {@code num_paused_requests} or {@code new_version}; or plain text
   * ({@code /flush_cache}); or nothing.
   *
   * @param operation the operation, for the exception
   * @param worker the worker
   * @param bytes the body
   * @return the acknowledgement
   * @throws ControlRejectedException if the answer says {@code "success": false}
   */
  public ControlAck ack(ControlOperation operation, Worker worker, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    JsonNode node = text.isEmpty() ? null : json.tryParse(text);
    if (node == null || !node.isObject()) {
      return ControlAck.of(clip(text));
    }
    String message = textOf(node.get("message"));
    JsonNode success = node.get("success");
    if (success != null && success.isBoolean() && !success.booleanValue()) {
      throw new ControlRejectedException(operation, worker.id(), 200, message);
    }
    JsonNode paused = node.get("num_paused_requests");
    int pausedRequests =
        paused != null && paused.canConvertToInt() ? Math.max(0, paused.intValue()) : 0;
    String version = textOf(node.get("new_version"));
    return new ControlAck(message == null ? "" : message, pausedRequests, version);
  }

  /**
   * Reads {@code weight_version} from a {@code /get_model_info} answer.
   *
   * @param worker the worker
   * @param bytes the body
   * @return the version
   * @throws ControlUnsupportedException if the worker does not report one (builds before v0.5)
   * @throws JsonShapeException if the body is not a JSON object
   */
  public String weightVersion(Worker worker, byte[] bytes) {
    JsonNode node = json.parse(bytes, "model info");
    if (!node.isObject()) {
      throw new JsonShapeException("model info is not a JSON object");
    }
    String version = textOf(node.get("weight_version"));
    if (version == null || version.isEmpty()) {
      throw new ControlUnsupportedException(
          ControlOperation.READ_WEIGHT_VERSION, worker.id(),
          "its model info has no weight_version (SGLang reports it from v0.5 on)");
    }
    return version;
  }

  /**
   * Combines {@code /get_model_info} and {@code /get_server_info} into a {@link WorkerInfo}.
   *
   * @param worker the worker
   * @param modelInfo the model-info body
   * @param serverInfo the server-info body
   * @return the information
   * @throws JsonShapeException if a body is not a JSON object
   */
  public WorkerInfo workerInfo(Worker worker, byte[] modelInfo, byte[] serverInfo) {
    JsonNode model = json.parse(modelInfo, "model info");
    JsonNode server = json.parse(serverInfo, "server info");
    if (!model.isObject() || !server.isObject()) {
      throw new JsonShapeException("model info and server info must be JSON objects");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> details = (Map<String, Object>) toJava(server);
    String version = textOf(model.get("weight_version"));
    return new WorkerInfo(
        worker.id(),
        version == null || version.isEmpty() ? null : version,
        textOf(model.get("model_path")),
        null,
        null,
        textOf(server.get("version")),
        details);
  }

  /**
   * The control-plane exception for a failed control call: 404 means the worker has no such
   * endpoint, other 4xx answers (but 408 and 429) mean it refused; everything else is left as it
   * is.
   *
   * @param operation the operation
   * @param worker the worker
   * @param error the failure of the call
   * @return the exception to report
   */
  public Throwable controlFailure(ControlOperation operation, Worker worker, Throwable error) {
    if (!(error instanceof WorkerException we) || we.kind() != WorkerException.Kind.HTTP_STATUS) {
      return error;
    }
    int status = we.statusCode();
    if (status == 404) {
      return new ControlUnsupportedException(
          operation, worker.id(), "the worker has no such endpoint (HTTP 404); this engine version"
              + " may name it differently or lack it");
    }
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
      String body = we.errorBody();
      String message = body == null ? null : failures.errorMessage(body);
      return new ControlRejectedException(
          operation, worker.id(), status, message != null ? message : we.getMessage());
    }
    return error;
  }

  private void putOptions(ObjectNode body, Map<String, Object> options) {
    for (Map.Entry<String, Object> e : options.entrySet()) {
      body.set(e.getKey(), json.valueToTree(e.getValue()));
    }
  }

  private static @Nullable String textOf(@Nullable JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode() || node.isContainerNode()) {
      return null;
    }
    return node.isTextual() ? node.textValue() : node.asText();
  }

  /** Converts a tree to strings, numbers, booleans, lists and maps; JSON nulls are left out. */
  private static @Nullable Object toJava(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        Object value = toJava(e.getValue());
        if (value != null) {
          out.put(e.getKey(), value);
        }
      }
      return Collections.unmodifiableMap(out);
    }
    if (node.isArray()) {
      List<Object> out = new ArrayList<>(node.size());
      for (JsonNode item : node) {
        Object value = toJava(item);
        if (value != null) {
          out.add(value);
        }
      }
      return Collections.unmodifiableList(out);
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    return null;
  }

  private static String clip(String text) {
    return text.length() <= 1024 ? text : text.substring(0, 1024) + "...";
  }
}

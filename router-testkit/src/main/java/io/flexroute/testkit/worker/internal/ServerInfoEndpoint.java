package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * {@code GET /get_server_info} and {@code GET /server_info}: a few of SGLang's server arguments and
 * scheduler fields, flat, with {@code version}.
 */
final class ServerInfoEndpoint implements Endpoint {

  /** The engine version the fake reports. */
  static final String VERSION = "0.0.0-fake";

  @Override
  public void handle(Call call) throws IOException {
    WorkerContext context = call.context();
    WorkerSettings settings = context.settings();
    ObjectNode body = Json.object();
    body.put("model_path", context.state().modelPath());
    body.put("served_model_name", settings.model());
    body.put("weight_version", settings.weightVersion());
    body.put("context_length", settings.maxModelLen());
    body.put("max_running_requests", settings.maxRunningRequests());
    body.put("max_total_num_tokens", settings.maxTotalTokens());
    body.putNull("chat_template");
    body.putArray("internal_states").addObject()
        .put("last_gen_throughput", 0.0)
        .put("paused", context.pause().paused());
    body.put("version", VERSION);
    Responses.json(call, 200, body);
  }
}

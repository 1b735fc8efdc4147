package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** {@code GET /get_model_info} and {@code GET /model_info}: model path and weight version. */
final class ModelInfoEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    WorkerState state = call.context().state();
    ObjectNode body = Json.object();
    body.put("model_path", state.modelPath());
    body.put("tokenizer_path", state.modelPath());
    body.put("is_generation", true);
    body.putNull("preferred_sampling_params");
    body.put("weight_version", state.weightVersion());
    body.put("has_image_understanding", false);
    body.put("has_audio_understanding", false);
    body.put("model_type", "toy");
    body.putArray("architectures").add("ToyForCausalLM");
    Responses.json(call, 200, body);
  }
}

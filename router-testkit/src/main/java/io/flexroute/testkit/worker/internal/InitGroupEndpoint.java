package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * {@code POST /init_weights_update_group}: checks {@code master_address}, {@code master_port},
 * {@code rank_offset} and {@code world_size}, and joins {@code group_name} (default {@code
 * weight_update_group}) at once, standing in for the NCCL rendezvous; answers {@code {success,
 * message}}.
 */
final class InitGroupEndpoint implements Endpoint {

  @Override
  public void handle(Call call) throws IOException {
    JsonNode body = call.json();
    boolean valid =
        body.path("master_address").isTextual()
            && body.path("master_port").canConvertToInt()
            && body.path("rank_offset").canConvertToInt()
            && body.path("world_size").canConvertToInt()
            && body.path("rank_offset").intValue() >= 1
            && body.path("rank_offset").intValue() < body.path("world_size").intValue();
    if (!valid) {
      Responses.json(
          call, 400,
          Json.object().put("success", false).put("message",
              "master_address, master_port, rank_offset and world_size are required, with"
                  + " 1 <= rank_offset < world_size."));
      return;
    }
    call.context().weightUpdates().setGroup(body.path("group_name").asText("weight_update_group"));
    Responses.json(
        call, 200,
        Json.object().put("success", true)
            .put("message", "Succeeded to initialize custom process group."));
  }
}

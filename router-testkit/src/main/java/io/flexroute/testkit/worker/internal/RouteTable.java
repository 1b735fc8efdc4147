package io.flexroute.testkit.worker.internal;

import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The worker's paths and the endpoints that serve them. */
final class RouteTable {

  private final Map<String, Route> routes;

  private RouteTable(Map<String, Route> routes) {
    this.routes = routes;
  }

  static RouteTable standard() {
    Route tokenize = Route.post(new TokenizeEndpoint());
    Route detokenize = Route.post(new DetokenizeEndpoint());
    Route health = Route.get(new HealthEndpoint());
    Route modelInfo = Route.get(new ModelInfoEndpoint());
    Route serverInfo = Route.get(new ServerInfoEndpoint());
    return new RouteTable(
        Map.ofEntries(
            Map.entry(
                "/generate",
                new Route(Set.of("POST", "PUT"), new GenerateEndpoint(), Protocol.NATIVE, "")),
            Map.entry(
                "/v1/chat/completions",
                new Route(Set.of("POST"), OpenAiEndpoint.chat(), Protocol.OPENAI, "chatcmpl-")),
            Map.entry(
                "/v1/completions",
                new Route(Set.of("POST"), OpenAiEndpoint.completions(), Protocol.OPENAI, "cmpl-")),
            Map.entry("/health", health),
            Map.entry("/health_generate", health),
            Map.entry("/v1/models", Route.get(new ModelsEndpoint())),
            Map.entry("/get_model_info", modelInfo),
            Map.entry("/model_info", modelInfo),
            Map.entry("/get_load", Route.get(new GetLoadEndpoint())),
            Map.entry("/v1/loads", Route.get(new LoadsEndpoint())),
            Map.entry("/abort_request", Route.post(new AbortEndpoint())),
            Map.entry(
                "/flush_cache",
                new Route(Set.of("GET", "POST"), new FlushCacheEndpoint(), Protocol.NATIVE, null)),
            Map.entry("/update_weights_from_disk", Route.post(new UpdateWeightsEndpoint())),
            Map.entry("/update_weight_version", Route.post(new UpdateWeightVersionEndpoint())),
            Map.entry(
                "/update_weights_from_distributed",
                Route.post(new UpdateFromDistributedEndpoint())),
            Map.entry("/init_weights_update_group", Route.post(new InitGroupEndpoint())),
            Map.entry("/pause_generation", Route.post(new PauseEndpoint())),
            Map.entry("/continue_generation", Route.post(new ContinueEndpoint())),
            Map.entry("/get_server_info", serverInfo),
            Map.entry("/server_info", serverInfo),
            Map.entry("/get_weight_version", Route.get(new GetWeightVersionEndpoint())),
            Map.entry("/tokenize", tokenize),
            Map.entry("/v1/tokenize", tokenize),
            Map.entry("/detokenize", detokenize),
            Map.entry("/v1/detokenize", detokenize)));
  }

  @Nullable Route find(String path) {
    return routes.get(path);
  }
}

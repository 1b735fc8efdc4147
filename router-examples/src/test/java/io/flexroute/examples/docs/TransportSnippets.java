package io.flexroute.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.Router;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.Worker;
import io.flexroute.testkit.grpc.FakeScheduler;
import io.flexroute.testkit.worker.FakeWorker;
import io.flexroute.transport.grpc.GrpcTransport;
import io.flexroute.transport.http.HttpTransport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The snippets of docs/transports.md, run against a fake HTTP worker and a fake gRPC scheduler. */
class TransportSnippets {

  @Test
  void httpTransport() {
    // tag::http-transport[]
    HttpTransport transport = HttpTransport.builder()
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofMinutes(10))
        .build();
    // end::http-transport[]
    try (transport;
        Router router =
            Router.builder().worker("a", "http://127.0.0.1:9").transport(transport).build()) {
      assertThat(router.isClosed()).isFalse();
    }
  }

  @Test
  void bothTransports() {
    try (FakeWorker fakeWorker = FakeWorker.builder().start();
        FakeScheduler fakeScheduler = FakeScheduler.builder().start()) {
      String chatUrl = fakeWorker.baseUrl();
      String rolloutUrl = fakeScheduler.url();
      // tag::both-transports[]
      try (HttpTransport http = HttpTransport.create();
          GrpcTransport grpc = GrpcTransport.builder().defaultMaxNewTokens(256).build();
          Router router = Router.builder()
              .transport(http)
              .transport(grpc)
              .worker(Worker.of("chat-1", chatUrl))         // http://10.0.0.4:30000
              .worker(Worker.of("rollout-1", rolloutUrl))   // grpc://10.0.0.5:30001
              .build()) {
        System.out.println(router.workers().list());
      }
      // end::both-transports[]
      assertThat(fakeWorker.requestCount()).isZero();
    }
  }

  @Test
  void grpcGenerate() {
    try (FakeScheduler fakeScheduler = FakeScheduler.builder().start()) {
      String schedulerUrl = fakeScheduler.url();
      // tag::grpc-generate[]
      try (GrpcTransport grpc = GrpcTransport.builder().defaultMaxNewTokens(256).build();
          Router router = Router.builder()
              .transport(grpc)
              .worker(Worker.of("a", schedulerUrl))          // grpc://10.0.0.5:30001
              .build()) {
        GenerateResult r = router.generate(GenerateRequest.builder()
            .inputIds(TokenIds.of(151644, 872, 198))
            .sampling(SamplingParams.builder().maxNewTokens(512).temperature(1.0).build())
            .returnLogprob(true)
            .build());
        // r.outputIds(), r.outputLogprobs(); r.text() is null over gRPC
      }
      // end::grpc-generate[]
      assertThat(fakeScheduler.requests()).hasSize(1);
    }
  }
}

package io.flexroute.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RouterClosedException;
import io.flexroute.TokenIds;
import io.flexroute.Worker;
import io.flexroute.spi.TransportProvider;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerGrpc;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Channels: lazy creation, ownership, closing without leaks, caller channels, the provider. */
class LifecycleTest {

  private final GenerateRequest request =
      GenerateRequest.builder().inputIds(TokenIds.of(1)).build();

  private static List<Thread> grpcThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("flexroute-grpc"))
        .collect(Collectors.toList());
  }

  @Test
  void close_shutsDownEveryChannelAndThreadItCreated() throws Exception {
    try (ScriptedScheduler a = new ScriptedScheduler();
        ScriptedScheduler b = new ScriptedScheduler()) {
      GrpcTransport transport = GrpcTransport.create();
      assertThat(transport.ownedChannels()).isEmpty();
      Worker wa = Worker.of("a", a.url());
      Worker wb = Worker.of("b", b.url());
      GenerateMappingTest.await(transport.generate(wa, request, TestContext.of("1")));
      GenerateMappingTest.await(transport.generate(wa, request, TestContext.of("2")));
      GenerateMappingTest.await(transport.generate(wb, request, TestContext.of("3")));
      List<ManagedChannel> channels = transport.ownedChannels();
      assertThat(channels).hasSize(2);
      List<Thread> threads = grpcThreads();
      assertThat(threads).isNotEmpty();

      transport.close();
      transport.close();

      for (ManagedChannel c : channels) {
        assertThat(c.isTerminated()).isTrue();
      }
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(t.isAlive()).as(t.getName()).isFalse();
      }
      assertThat(transport.ownedChannels()).isEmpty();
      assertThatThrownBy(() -> GenerateMappingTest.await(
          transport.generate(wa, request, TestContext.of("4"))))
          .isInstanceOf(RouterClosedException.class);
      assertThatThrownBy(() -> transport.generateStream(wa, request, TestContext.of("5")))
          .isInstanceOf(RouterClosedException.class);
    }
  }

  @Test
  void workerUrlChange_replacesTheChannel() throws Exception {
    try (ScriptedScheduler a = new ScriptedScheduler();
        ScriptedScheduler b = new ScriptedScheduler();
        GrpcTransport transport = GrpcTransport.create()) {
      GenerateMappingTest.await(transport.generate(Worker.of("w", a.url()), request,
          TestContext.of("1")));
      ManagedChannel first = transport.ownedChannels().get(0);
      GenerateMappingTest.await(transport.generate(Worker.of("w", b.url()), request,
          TestContext.of("2")));

      assertThat(transport.ownedChannels()).hasSize(1).doesNotContain(first);
      assertThat(first.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(b.generates).hasSize(1);
    }
  }

  @Test
  void removedWorker_releasesItsChannelOnceTheCallsOnItEnd() throws Exception {
    try (ScriptedScheduler a = new ScriptedScheduler();
        GrpcTransport transport = GrpcTransport.create()) {
      Worker w = Worker.of("w", a.url());
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch answer = new CountDownLatch(1);
      a.script =
          (req, out) -> {
            started.countDown();
            answer.await();
            ScriptedScheduler.complete(out, req, List.of(7), "stop");
          };
      CompletableFuture<GenerateResult> running =
          transport.generate(w, request, TestContext.of("1"));
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      ManagedChannel first = transport.ownedChannels().get(0);

      transport.onWorkerRemoved(w);

      assertThat(transport.ownedChannels()).isEmpty();
      assertThat(first.isShutdown()).isTrue();
      assertThat(first.isTerminated()).isFalse(); // its call still runs
      answer.countDown();
      assertThat(GenerateMappingTest.await(running).outputIds().toArray()).containsExactly(7);
      assertThat(first.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      // A request that outlived the removal is aborted: the abort is sent, and leaves no channel
      // open for the removed worker.
      GenerateMappingTest.await(transport.abort(w, "late", TestContext.of("late")));
      assertThat(a.aborts.poll(10, TimeUnit.SECONDS)).isEqualTo("late");
      assertThat(transport.ownedChannels()).isEmpty();
      // The worker comes back under the same id: a new channel.
      GenerateMappingTest.await(transport.generate(w, request, TestContext.of("2")));
      assertThat(transport.ownedChannels()).hasSize(1).doesNotContain(first);
    }
  }

  @Test
  void callerChannels_areUsedAndNeverClosed() throws Exception {
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new SglangSchedulerGrpc.SglangSchedulerImplBase() {
                  @Override
                  public void generate(
                      SglangSchedulerProto.GenerateRequest req,
                      StreamObserver<SglangSchedulerProto.GenerateResponse> out) {
                    ScriptedScheduler.complete(out, req, List.of(9), "stop");
                  }
                })
            .build()
            .start();
    ManagedChannel given = InProcessChannelBuilder.forName(name).directExecutor().build();
    ManagedChannel made = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      GrpcTransport transport =
          GrpcTransport.builder().channel("given", given).channelFactory(w -> made).build();

      GenerateResult r1 = GenerateMappingTest.await(transport.generate(
          Worker.of("given", "grpc://ignored.invalid:1"), request, TestContext.of("1")));
      GenerateResult r2 = GenerateMappingTest.await(transport.generate(
          Worker.of("other", "grpc://ignored.invalid:2"), request, TestContext.of("2")));
      transport.close();

      assertThat(r1.outputIds()).isEqualTo(TokenIds.of(9));
      assertThat(r2.outputIds()).isEqualTo(TokenIds.of(9));
      assertThat(transport.ownedChannels()).isEmpty();
      assertThat(given.isShutdown()).isFalse();
      assertThat(made.isShutdown()).isFalse();
    } finally {
      given.shutdownNow();
      made.shutdownNow();
      server.shutdownNow();
    }
  }

  @Test
  void supports_grpcAndGrpcsOnly() {
    try (GrpcTransport transport = GrpcTransport.create()) {
      assertThat(transport.name()).isEqualTo("grpc");
      assertThat(transport.supports(Worker.of("a", "grpc://h:1"))).isTrue();
      assertThat(transport.supports(Worker.of("b", "grpcs://h:1"))).isTrue();
      assertThat(transport.supports(Worker.of("c", "http://h:1"))).isFalse();
      assertThat(transport.supports(Worker.of("d", "https://h:1"))).isFalse();
    }
  }

  @Test
  void urlWithAPath_isRefused() {
    try (GrpcTransport transport = GrpcTransport.create()) {
      assertThatThrownBy(() -> GenerateMappingTest.await(transport.generate(
          Worker.of("p", "grpc://127.0.0.1:1/prefix"), request, TestContext.of("p"))))
          .hasMessageContaining("path");
    }
  }

  @Test
  void provider_isFoundByServiceLoaderUnderTheNameGrpc() {
    List<TransportProvider> providers =
        ServiceLoader.load(TransportProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals("grpc"))
            .collect(Collectors.toList());
    assertThat(providers).hasSize(1);
    try (var transport = providers.get(0).create()) {
      assertThat(transport).isInstanceOf(GrpcTransport.class);
    }
  }

  @Test
  void builder_validatesAndNamesTheSetting() {
    assertThatThrownBy(() -> GrpcTransport.builder().keepAlive(Duration.ofSeconds(1),
        Duration.ofSeconds(1))).hasMessageContaining("keepAliveTime");
    assertThatThrownBy(() -> GrpcTransport.builder().maxInboundMessageSize(10))
        .hasMessageContaining("maxInboundMessageSize");
    assertThatThrownBy(() -> GrpcTransport.builder().flowControlWindow(10))
        .hasMessageContaining("flowControlWindow");
    assertThatThrownBy(() -> GrpcTransport.builder().defaultMaxNewTokens(-2))
        .hasMessageContaining("defaultMaxNewTokens");
    assertThatThrownBy(() -> GrpcTransport.builder().abortTimeout(Duration.ZERO))
        .hasMessageContaining("abortTimeout");
    assertThatThrownBy(() -> GrpcTransport.builder().infoTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("infoTimeout");
    // Longer settings overflowed nanosecond arithmetic deep inside a call (an Abort's deadline).
    assertThatThrownBy(() -> GrpcTransport.builder().abortTimeout(Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("abortTimeout must be at most 3650 days");
    assertThatThrownBy(() -> GrpcTransport.builder().infoTimeout(Duration.ofDays(3651)))
        .hasMessageContaining("infoTimeout must be at most 3650 days");
    assertThatThrownBy(
            () -> GrpcTransport.builder().keepAlive(Duration.ofDays(4000), Duration.ofSeconds(1)))
        .hasMessageContaining("keepAliveTime must be at most 3650 days");
    assertThatThrownBy(() -> GrpcTransport.builder().channel(" ", InProcessChannelBuilder
        .forName("x").build())).hasMessageContaining("workerId");
  }
}

package io.flexroute.benchmarks.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.GenerateRequest;
import io.flexroute.Router;
import io.flexroute.TokenIds;
import io.flexroute.fleet.Broadcast;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.FleetResult;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.WorkerFailure;
import io.flexroute.fleet.WorkerInfo;
import io.flexroute.spi.ControlState;
import io.flexroute.testkit.grpc.FakeScheduler;
import io.flexroute.transport.grpc.GrpcTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet control plane over the gRPC transport against the test kit's FakeScheduler: flushes,
 * version reads and server information work; weight updates, which the scheduler protocol has no
 * RPC for, are reported per worker as unsupported and leave the worker in rotation. (Here for the
 * same reactor reason as {@link RouterOverGrpcTest}.)
 */
class FleetOverGrpcTest {

  private final FakeScheduler scheduler = FakeScheduler.builder().start();
  private final GrpcTransport transport = GrpcTransport.create();
  private Router router;

  @BeforeEach
  void setUp() {
    scheduler.setWeightVersion("4");
    router = Router.builder().transport(transport).worker("g1", scheduler.url()).build();
  }

  @AfterEach
  void tearDown() {
    router.close();
    transport.close();
    scheduler.close();
  }

  @Test
  void flushReadAndInfo_work_andVersionRequirementsFollow() {
    FleetResult<ControlAck> flushed = router.fleet().flushCache(Broadcast.all());
    FleetResult<String> versions = router.fleet().readWeightVersions(Broadcast.all());
    FleetResult<WorkerInfo> info = router.fleet().serverInfo(Broadcast.all());

    assertThat(flushed.allSucceeded()).isTrue();
    assertThat(scheduler.flushCount()).isEqualTo(1);
    assertThat(versions.values()).containsEntry("g1", "4");
    assertThat(info.value("g1")).hasValueSatisfying(i -> {
      assertThat(i.weightVersion()).isEqualTo("4");
      assertThat(i.paused()).isFalse();
    });
    assertThat(
            router.generate(GenerateRequest.builder().inputIds(TokenIds.of(1, 2, 3))
                .minWeightVersion("4").build()).workerId())
        .isEqualTo("g1");
  }

  @Test
  void weightUpdates_areUnsupportedOverGrpc() {
    FleetResult<ControlAck> result =
        router.fleet().updateWeightsFromDisk(
            UpdateWeightsFromDisk.builder("/ckpt/5").weightVersion("5").build(), Broadcast.all());

    assertThat(result.failures()).singleElement().satisfies(f -> {
      assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.UNSUPPORTED);
      assertThat(f.error()).hasMessageContaining("gRPC scheduler API has no such RPC");
    });
    assertThat(router.workers().view("g1").orElseThrow().controlState())
        .isEqualTo(ControlState.SERVING);
    assertThat(router.workers().view("g1").orElseThrow().weightVersion()).isNull();
  }
}

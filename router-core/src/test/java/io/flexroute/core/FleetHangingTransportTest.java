package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.Router;
import io.flexroute.fleet.Broadcast;
import io.flexroute.fleet.ControlAck;
import io.flexroute.fleet.FleetResult;
import io.flexroute.fleet.UpdateWeightsFromDisk;
import io.flexroute.fleet.WorkerFailure;
import io.flexroute.spi.ControlState;
import io.flexroute.spi.Transport;
import io.flexroute.testkit.fake.FakeTransport;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A transport that breaks its contract by never completing a control call, even once cancelled,
 * cannot hang a broadcast nor keep the worker out of rotation.
 */
@Timeout(60)
class FleetHangingTransportTest {

  private final FakeTransport fake = FakeTransport.create();

  /** The fake transport, except that weight updates never answer. */
  private Transport hangingUpdates() {
    return (Transport)
        Proxy.newProxyInstance(
            Transport.class.getClassLoader(),
            new Class<?>[] {Transport.class},
            (proxy, method, args) -> {
              if (method.getName().equals("updateWeightsFromDisk")) {
                return new CompletableFuture<ControlAck>();
              }
              try {
                return method.invoke(fake, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void anUpdateThatNeverAnswers_endsAsATimeout_andTheWorkerServesAgain() {
    try (Router router =
        Router.builder().transport(hangingUpdates()).worker("a", "http://a.invalid:1").build()) {
      FleetResult<ControlAck> result =
          router
              .fleet()
              .updateWeightsFromDisk(
                  UpdateWeightsFromDisk.builder("/ckpt/2").build(),
                  Broadcast.builder().timeout(Duration.ofMillis(200)).build());

      assertThat(result.failures())
          .singleElement()
          .satisfies(f -> assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.TIMEOUT));
      assertThat(router.workers().view("a").orElseThrow().controlState())
          .isEqualTo(ControlState.SERVING);
    }
  }

  @Test
  void aWorkerReAddedDuringARollingUpdate_isNotUpdatedWithoutADrain() throws Exception {
    CompletableFuture<ControlAck> firstUpdate = new CompletableFuture<>();
    java.util.List<String> updated = new java.util.concurrent.CopyOnWriteArrayList<>();
    Transport transport =
        (Transport)
            Proxy.newProxyInstance(
                Transport.class.getClassLoader(),
                new Class<?>[] {Transport.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("updateWeightsFromDisk")) {
                    String id = ((io.flexroute.Worker) args[0]).id();
                    updated.add(id);
                    return id.equals("a")
                        ? firstUpdate
                        : CompletableFuture.completedFuture(new ControlAck("ok", 0, null));
                  }
                  try {
                    return method.invoke(fake, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    try (Router router =
        Router.builder()
            .transport(transport)
            .worker("a", "http://a.invalid:1")
            .worker("b", "http://b.invalid:1")
            .build()) {
      CompletableFuture<FleetResult<ControlAck>> rolling =
          router
              .fleet()
              .updateWeightsFromDiskAsync(
                  UpdateWeightsFromDisk.builder("/ckpt/2").build(),
                  Broadcast.builder().parallelism(1).build());
      io.flexroute.core.Polling.await(() -> updated.contains("a"));
      // A discovery flap: b leaves and comes back while a is updating.
      router.workers().remove("b");
      router.workers().add(io.flexroute.Worker.of("b", "http://b.invalid:1"));
      firstUpdate.complete(new ControlAck("ok", 0, null));

      FleetResult<ControlAck> result = rolling.get(10, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(updated).containsExactly("a");
      assertThat(result.failures())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.workerId()).isEqualTo("b");
                assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.CANCELLED);
              });
      assertThat(router.workers().view("b").orElseThrow().controlState())
          .isEqualTo(ControlState.SERVING);
    }
  }
}

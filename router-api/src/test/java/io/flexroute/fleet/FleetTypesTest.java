package io.flexroute.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.spi.WorkerView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetTypesTest {

  private static WorkerView view(String id, String model) {
    Worker w = Worker.builder(id, "http://127.0.0.1:1").model(model).build();
    return new WorkerView() {
      @Override
      public Worker worker() {
        return w;
      }

      @Override
      public int inFlightRequests() {
        return 0;
      }

      @Override
      public long inFlightTokens() {
        return 0;
      }

      @Override
      public long ewmaLatencyNanos() {
        return 0;
      }

      @Override
      public long ewmaTtftNanos() {
        return 0;
      }

      @Override
      public io.flexroute.HealthState health() {
        return io.flexroute.HealthState.HEALTHY;
      }

      @Override
      public io.flexroute.spi.@org.jspecify.annotations.Nullable WorkerLoad reportedLoad() {
        return null;
      }

      @Override
      public long completedRequests() {
        return 0;
      }
    };
  }

  private final List<WorkerView> workers =
      List.of(view("a", "m1"), view("b", "m2"), view("c", "m1"));

  @Test
  void selectors_chooseInOrder() {
    assertThat(WorkerSelector.all().select(workers)).extracting(WorkerView::id)
        .containsExactly("a", "b", "c");
    assertThat(WorkerSelector.model("m1").select(workers)).extracting(WorkerView::id)
        .containsExactly("a", "c");
    assertThat(WorkerSelector.ids("c", "a").select(workers)).extracting(WorkerView::id)
        .containsExactly("c", "a");
    assertThat(WorkerSelector.ids("c", "b", "a").and(WorkerSelector.model("m1")).select(workers))
        .extracting(WorkerView::id).containsExactly("c", "a");
    assertThat(WorkerSelector.where(w -> !w.id().equals("a")).and(WorkerSelector.model("m1"))
        .select(workers)).extracting(WorkerView::id).containsExactly("c");
  }

  @Test
  void selectors_refuseBadInput() {
    assertThatThrownBy(() -> WorkerSelector.ids("a", "x").select(workers))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[x]");
    assertThatThrownBy(() -> WorkerSelector.ids()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WorkerSelector.ids("a", "a"))
        .hasMessage("ids contains 'a' twice");
    assertThatThrownBy(() -> WorkerSelector.ids("a").and(WorkerSelector.ids("b")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WorkerSelector.model(" ")).hasMessage("model must not be blank");
  }

  @Test
  void broadcast_hasDocumentedDefaultsAndValidates() {
    Broadcast all = Broadcast.all();
    assertThat(all.parallelism()).isEqualTo(Broadcast.DEFAULT_PARALLELISM);
    assertThat(all.timeout()).isEqualTo(Broadcast.DEFAULT_TIMEOUT);
    assertThat(all.haltOnFailure()).isFalse();
    assertThat(all.drainTimeout()).isZero();
    Broadcast rolling = Broadcast.rolling(WorkerSelector.model("m1"));
    assertThat(rolling.parallelism()).isEqualTo(1);
    assertThat(rolling.haltOnFailure()).isTrue();
    assertThatThrownBy(() -> Broadcast.builder().parallelism(0))
        .hasMessage("parallelism must be >= 1, but was 0");
    assertThatThrownBy(() -> Broadcast.builder().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Broadcast.builder().drainTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void updates_validateTheirFields() {
    UpdateWeightsFromDisk disk =
        UpdateWeightsFromDisk.builder("/ckpt").weightVersion("3").option("is_async", true).build();
    assertThat(disk.options()).containsEntry("is_async", true);
    assertThatThrownBy(() -> UpdateWeightsFromDisk.builder(" "))
        .hasMessage("modelPath must not be blank");
    assertThatThrownBy(() -> UpdateWeightsFromDisk.builder("/c").option("weight_version", "1"))
        .hasMessage("option weight_version has its own setter");
    assertThatThrownBy(() -> UpdateWeightsFromDisk.builder("/c").option("x", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpdateWeightsFromDisk.builder("/c").option("x", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);

    assertThatThrownBy(() -> UpdateWeightsFromDistributed.builder().build())
        .hasMessage("tensors: at least one tensor is required");
    assertThatThrownBy(
            () -> UpdateWeightsFromDistributed.builder().tensor("w", "bf16", 2).tensor("w", "bf16"))
        .hasMessage("tensor w was already added");
    assertThatThrownBy(() -> UpdateWeightsFromDistributed.builder().tensor("w", "bf16", -1))
        .isInstanceOf(IllegalArgumentException.class);

    assertThatThrownBy(() -> InitWeightsUpdateGroup.builder("h", 0, 2))
        .hasMessage("masterPort must be in [1, 65535], but was 0");
    assertThatThrownBy(() -> InitWeightsUpdateGroup.builder("h", 1, 1))
        .hasMessage("worldSize must be >= 2, but was 1");
    assertThatThrownBy(() -> InitWeightsUpdateGroup.builder("h", 1, 3).rankOffset("a", 3))
        .hasMessage("rankOffset of worker a must be in [1, 2], but was 3");
    assertThatThrownBy(() -> InitWeightsUpdateGroup.builder("h", 1, 3).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fleetResult_listsSuccessesAndFailures() {
    FleetResult<String> r =
        FleetResult.of(
            ControlOperation.READ_WEIGHT_VERSION,
            List.of(new WorkerSuccess<>("a", "7", Duration.ofMillis(3))),
            List.of(new WorkerFailure("b", WorkerFailure.Cause.UNREACHABLE,
                new RouterException("refused"), Duration.ofMillis(1))),
            Duration.ofMillis(4));
    assertThat(r.values()).isEqualTo(Map.of("a", "7"));
    assertThat(r.value("b")).isEmpty();
    assertThat(r.failure("b")).hasValueSatisfying(
        f -> assertThat(f.cause()).isEqualTo(WorkerFailure.Cause.UNREACHABLE));
    assertThat(r.workerIds()).containsExactly("a", "b");
    assertThat(r.toString()).contains("b=UNREACHABLE");
    assertThatThrownBy(r::orThrow)
        .isInstanceOfSatisfying(FleetOperationException.class,
            e -> assertThat(e.result()).isSameAs(r))
        .hasMessageStartingWith("read weight version failed on 1 of 2 workers");
    assertThatThrownBy(
            () -> FleetResult.of(
                ControlOperation.FLUSH_CACHE,
                List.of(new WorkerSuccess<>("a", ControlAck.of("ok"), Duration.ZERO)),
                List.of(new WorkerFailure("a", WorkerFailure.Cause.TIMEOUT,
                    new RouterException("t"), Duration.ZERO)),
                Duration.ZERO))
        .hasMessageContaining("appears twice");
  }

  @Test
  void initWeightsUpdateGroup_refusesTwoWorkersWithOneRankOffset() {
    assertThatThrownBy(
            () ->
                InitWeightsUpdateGroup.builder("10.0.0.1", 29500, 3)
                    .rankOffset("w0", 1)
                    .rankOffset("w1", 1)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("w0 and w1 both have rank offset 1");
  }

  @Test
  void engineOptions_keepAMutableNumbersValueAndTakeEveryPlainNumberType() {
    java.util.concurrent.atomic.AtomicLong flushed = new java.util.concurrent.atomic.AtomicLong(5);
    UpdateWeightsFromDisk update =
        UpdateWeightsFromDisk.builder("/ckpt")
            .option("flushed", flushed)
            .option("big", new java.math.BigDecimal("1e40"))
            .option("small", (short) 3)
            .build();
    flushed.set(6); // the built update keeps the value it was given
    assertThat(update.options())
        .containsEntry("flushed", new java.math.BigDecimal("5"))
        .containsEntry("big", new java.math.BigDecimal("1e40"))
        .containsEntry("small", (short) 3);
  }
}

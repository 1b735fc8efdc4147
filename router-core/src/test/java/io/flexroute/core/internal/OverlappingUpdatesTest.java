package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.WeightVersions;
import io.flexroute.Worker;
import io.flexroute.WorkerRole;
import io.flexroute.spi.ControlState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A worker stays out of rotation until every weight update under way on it has ended. */
class OverlappingUpdatesTest {

  @Test
  void theFirstOfTwoOverlappingUpdatesToEnd_doesNotPutTheWorkerBackInRotation() {
    WorkerRegistryImpl registry =
        new WorkerRegistryImpl(
            w -> new WorkerState(w, null), new ListenerSet(List.of()), () -> {}, gone -> {},
            WeightVersions.naturalOrder());
    registry.add(Worker.builder("w", "http://w.invalid:30000").build());
    WorkerState w = registry.snapshot().workers().get(0);

    registry.setUpdating(List.of(w), true); // broadcast X starts
    registry.setUpdating(List.of(w), true); // broadcast Y starts
    registry.setUpdating(List.of(w), false); // X ends; Y still loads weights

    assertThat(w.controlState()).isEqualTo(ControlState.UPDATING);
    assertThat(registry.snapshot().eligible(null, WorkerRole.REGULAR, null)).isEmpty();

    registry.setUpdating(List.of(w), false); // Y ends

    assertThat(w.controlState()).isEqualTo(ControlState.SERVING);
    assertThat(registry.snapshot().eligible(null, WorkerRole.REGULAR, null)).hasSize(1);
  }
}

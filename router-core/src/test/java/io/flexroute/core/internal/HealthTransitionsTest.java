package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.HealthState;
import io.flexroute.WeightVersions;
import io.flexroute.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The router's own health judgements apply only to the state they were made on: an operator's
 * drain set in between stands.
 */
class HealthTransitionsTest {

  private final WorkerRegistryImpl registry =
      new WorkerRegistryImpl(
          w -> new WorkerState(w, null), new ListenerSet(List.of()), () -> {}, gone -> {},
          WeightVersions.naturalOrder());

  @Test
  void aJudgementMadeOnAnOlderStateDoesNotOverwriteADrain() {
    registry.add(Worker.builder("w", "http://w.invalid:30000").build());
    // A probe read HEALTHY and failed; before it records that, the operator drains the worker.
    registry.setHealth("w", HealthState.DRAINING);

    assertThat(registry.transitionHealth("w", HealthState.HEALTHY, HealthState.UNHEALTHY))
        .isFalse();
    assertThat(registry.transitionHealth("w", HealthState.UNHEALTHY, HealthState.HEALTHY))
        .isFalse();
    assertThat(registry.snapshot().get("w").health()).isEqualTo(HealthState.DRAINING);
  }

  @Test
  void aJudgementAboutARemovedWorker_doesNotReachTheOneReAddedUnderItsId() {
    registry.add(Worker.builder("w", "http://w.invalid:30000").build());
    WorkerState probed = registry.snapshot().get("w");
    // While its probe runs, the worker is removed and added again (a discovery flap).
    registry.remove("w");
    registry.add(Worker.builder("w", "http://w.invalid:30000").build());

    assertThat(registry.transitionHealth(probed, HealthState.HEALTHY, HealthState.UNHEALTHY))
        .isFalse();
    assertThat(registry.snapshot().get("w").health()).isEqualTo(HealthState.HEALTHY);
    WorkerState current = registry.snapshot().get("w");
    assertThat(registry.transitionHealth(current, HealthState.HEALTHY, HealthState.UNHEALTHY))
        .isTrue();
  }

  @Test
  void aJudgementOnTheCurrentStateApplies() {
    registry.add(Worker.builder("w", "http://w.invalid:30000").build());

    assertThat(registry.transitionHealth("w", HealthState.HEALTHY, HealthState.UNHEALTHY))
        .isTrue();
    assertThat(registry.snapshot().get("w").health()).isEqualTo(HealthState.UNHEALTHY);
    assertThat(registry.transitionHealth("w", HealthState.UNHEALTHY, HealthState.HEALTHY))
        .isTrue();
    assertThat(registry.snapshot().get("w").health()).isEqualTo(HealthState.HEALTHY);
  }
}

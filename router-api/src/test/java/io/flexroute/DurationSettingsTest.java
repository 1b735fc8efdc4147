package io.flexroute;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.fleet.Broadcast;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Duration settings refuse values the router cannot compute with in nanoseconds ("forever" and
 * other durations of centuries), naming the setting, and accept the longest allowed one.
 */
class DurationSettingsTest {

  private static final Duration LONGEST = Duration.ofDays(3650);

  static Stream<Arguments> settings() {
    return Stream.of(
        setting("initialBackoff", d -> RetryPolicy.builder().initialBackoff(d)),
        setting("maxBackoff", d -> RetryPolicy.builder().maxBackoff(d)),
        setting("maxQueueWait", d -> AdmissionPolicy.builder().queue(10, d)),
        setting("openDuration", d -> CircuitBreakerPolicy.builder().openDuration(d)),
        setting("maxOpenDuration", d -> CircuitBreakerPolicy.builder().maxOpenDuration(d)),
        setting("rateLimitPark", d -> CircuitBreakerPolicy.builder().rateLimitPark(d)),
        setting("interval", d -> HealthCheckPolicy.builder().interval(d)),
        setting("timeout", d -> HealthCheckPolicy.builder().timeout(d)),
        setting("loadPolling", d -> Router.builder().loadPolling(d)),
        setting("timeout", d -> Broadcast.builder().timeout(d)),
        setting("drainTimeout", d -> Broadcast.builder().drainTimeout(d)));
  }

  private static Arguments setting(String name, Consumer<Duration> set) {
    return Arguments.of(name, set);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("settings")
  void forever_isRefusedNamingTheSetting(String name, Consumer<Duration> set) {
    assertThatThrownBy(() -> set.accept(ChronoUnit.FOREVER.getDuration()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name)
        .hasMessageContaining("3650 days");
    assertThatThrownBy(() -> set.accept(LONGEST.plusNanos(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("settings")
  void theLongestAllowedDuration_isAccepted(String name, Consumer<Duration> set) {
    set.accept(LONGEST); // does not throw
  }
}

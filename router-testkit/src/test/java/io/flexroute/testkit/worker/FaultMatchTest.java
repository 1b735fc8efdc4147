package io.flexroute.testkit.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FaultMatchTest {

  private static final RecordedRequest PLAIN = request("/generate", true, false);
  private static final RecordedRequest STREAMING = request("/v1/chat/completions", true, true);
  private static final RecordedRequest HEALTH = request("/health", false, false);

  @Test
  void matches_pathlessFaultsOnlyOnGenerationRequests() {
    Fault status = Fault.status(503);

    assertThat(status.matches(PLAIN)).isTrue();
    assertThat(status.matches(STREAMING)).isTrue();
    assertThat(status.matches(HEALTH)).isFalse();
    assertThat(Fault.abortFinish("x").matches(HEALTH)).isFalse();
  }

  @Test
  void matches_streamFaultsOnlyOnStreamingRequests() {
    for (Fault fault :
        List.of(Fault.truncatedSse(), Fault.disconnectMidStream(1), Fault.sseError("x"))) {
      assertThat(fault.matches(STREAMING)).as(fault.toString()).isTrue();
      assertThat(fault.matches(PLAIN)).as(fault.toString()).isFalse();
    }
  }

  @Test
  void matches_pathFaultsOnlyOnThatPath() {
    Fault health = Fault.stallBeforeHeaders().forPath("/health");

    assertThat(health.matches(HEALTH)).isTrue();
    assertThat(health.matches(PLAIN)).isFalse();
    assertThat(health.path()).isEqualTo("/health");
    assertThat(health.kind()).isEqualTo(Fault.Kind.STALL_BEFORE_HEADERS);
  }

  @Test
  void random_drawsOnlyForMatchingRequestsAndRepeatsWithTheSeed() {
    FaultPolicy first = FaultPolicy.random(Fault.status(500), 0.5, 7);
    FaultPolicy second = FaultPolicy.random(Fault.status(500), 0.5, 7);

    List<Boolean> firstDraws =
        IntStream.range(0, 40)
            .mapToObj(
                i -> {
                  assertThat(first.faultFor(HEALTH)).isNull();
                  return first.faultFor(PLAIN) != null;
                })
            .toList();
    List<Boolean> secondDraws =
        IntStream.range(0, 40).mapToObj(i -> second.faultFor(PLAIN) != null).toList();

    assertThat(firstDraws).isEqualTo(secondDraws).contains(true, false);
    assertThat(FaultPolicy.random(Fault.status(500), 0, 1).faultFor(PLAIN)).isNull();
    assertThat(FaultPolicy.random(Fault.status(500), 1, 1).faultFor(PLAIN)).isNotNull();
  }

  @Test
  void recordedRequest_headersAreCaseInsensitiveAndMerged() {
    RecordedRequest request =
        new RecordedRequest(
            1,
            Instant.EPOCH,
            "POST",
            "/generate",
            null,
            Map.of("X-Trace", List.of("a"), "x-trace", List.of("b")),
            "{\"rid\":\"r\"}",
            true,
            false);

    assertThat(request.headers().get("X-TRACE")).containsExactlyInAnyOrder("a", "b");
    assertThat(request.json().get("rid").asText()).isEqualTo("r");
    assertThat(request.toString()).contains("#1 POST /generate");
  }

  private static RecordedRequest request(String path, boolean generation, boolean streaming) {
    return new RecordedRequest(
        1, Instant.EPOCH, "POST", path, null, Map.of(), "", generation, streaming);
  }
}

package io.flexroute.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.GenerateRequest;
import io.flexroute.RequestTimeoutException;
import io.flexroute.RouterException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A request's single end reaches whoever waits for it, however the end and the wait race. */
class RequestCallTest {

  private static RequestCall newCall() {
    GenerateRequest request = GenerateRequest.ofText("x");
    return new RequestCall(
        new RequestViewImpl(request, "r1", false),
        System.nanoTime(),
        Duration.ofSeconds(1),
        new ListenerSet(List.of()),
        call -> {});
  }

  @Test
  void aFailureBeforeTheSinkIsSetReachesTheSinkOnceItIs() {
    RequestCall call = newCall();
    // The deadline fires before the caller's future registered to hear of failures.
    assertThat(call.cancel(RouterCallContext.Reason.TIMEOUT)).isTrue();
    List<RouterException> delivered = new CopyOnWriteArrayList<>();
    call.setFailureSink(delivered::add);
    assertThat(delivered).singleElement().isInstanceOf(RequestTimeoutException.class);
  }

  @Test
  void aFailureIsDeliveredExactlyOnce() {
    RequestCall call = newCall();
    List<RouterException> delivered = new CopyOnWriteArrayList<>();
    call.setFailureSink(delivered::add);
    call.cancel(RouterCallContext.Reason.TIMEOUT);
    call.cancel(RouterCallContext.Reason.CALLER);
    call.setFailureSink(delivered::add);
    assertThat(delivered).singleElement().isInstanceOf(RequestTimeoutException.class);
  }

  @Test
  void anOlderWaitCannotReplaceHowANewerOneLeavesTheQueue() {
    RequestCall call = newCall();
    long first = call.nextWait();
    long retry = call.nextWait();
    List<String> stopped = new CopyOnWriteArrayList<>();
    // The retry woken from the first wait registered before the first wait's thread got to it.
    call.setStopWaiting(retry, () -> stopped.add("retry"));
    call.setStopWaiting(first, () -> stopped.add("first"));

    call.cancel(RouterCallContext.Reason.CALLER);

    assertThat(stopped).containsExactly("retry");
  }

  @Test
  void anAnswerRefusedForItsWeights_isRejectedNotAWorkerError() {
    // Strategies count WORKER_ERROR against a worker (priority groups fail over on it); a worker
    // whose weights are only too old for one request is not failing.
    io.flexroute.WorkerException tooOld =
        new io.flexroute.WorkerException(
            "w", io.flexroute.WorkerException.Kind.WEIGHT_VERSION, 0, "old weights", null, null);
    io.flexroute.WorkerException broken =
        new io.flexroute.WorkerException(
            "w", io.flexroute.WorkerException.Kind.CONNECTION, 0, "reset", null, null);

    assertThat(RequestCall.outcomeOf(tooOld)).isEqualTo(io.flexroute.RequestOutcome.REJECTED);
    assertThat(RequestCall.outcomeOf(broken)).isEqualTo(io.flexroute.RequestOutcome.WORKER_ERROR);
  }
}

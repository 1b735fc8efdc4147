package io.flexroute.transport.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flexroute.RequestCancelledException;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailuresTest {

  private final Worker worker = Worker.of("w1", "grpc://127.0.0.1:1");

  private RouterException map(Status status, boolean cancelledByUs) {
    return Failures.fromStatus(
        status, worker, "r1", Duration.ofSeconds(1), false, cancelledByUs, true);
  }

  @Test
  void anAnswerGrpcCouldNotParse_isMalformedNotACancel() {
    Status unreadable =
        Status.CANCELLED
            .withDescription("Failed to read message.")
            .withCause(new InvalidProtocolBufferException("invalid UTF-8"));

    assertThat(map(unreadable, false))
        .isInstanceOfSatisfying(
            WorkerException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE);
              assertThat(e.isRetryable()).isTrue();
            });
  }

  @Test
  void aPlainCancel_staysA499OrOurOwnCancel() {
    assertThat(map(Status.CANCELLED.withDescription("server cancelled"), false))
        .isInstanceOfSatisfying(
            WorkerException.class, e -> assertThat(e.statusCode()).isEqualTo(499));
    assertThat(map(Status.CANCELLED.withDescription("Failed to read message."), true))
        .isInstanceOf(RequestCancelledException.class);
  }
}

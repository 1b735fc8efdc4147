package io.flexroute.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.RequestCancelledException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.TokenIds;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.ChunkSource;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Deadlines, cancellation to Abort, and the status-to-exception table. */
class CallHandlingTest {

  private final ScriptedScheduler scheduler = new ScriptedScheduler();
  private final GrpcTransport transport = GrpcTransport.create();
  private final Worker worker = Worker.of("w1", scheduler.url());
  private final GenerateRequest request =
      GenerateRequest.builder().inputIds(TokenIds.of(1, 2)).build();

  @AfterEach
  void tearDown() throws InterruptedException {
    transport.close();
    scheduler.close();
  }

  @Test
  void generate_deadlineFromTheContext_timesOutAndAborts() throws Exception {
    scheduler.script = (req, out) -> scheduler.stall();
    TestContext context = new TestContext("slow-1", Duration.ofMillis(300), Map.of());

    CompletableFuture<?> future = transport.generate(worker, request, context);

    assertThatThrownBy(() -> GenerateMappingTest.await(future))
        .isInstanceOfSatisfying(RequestTimeoutException.class,
            e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300)));
    assertThat(scheduler.aborts.poll(10, TimeUnit.SECONDS)).isEqualTo("slow-1");
  }

  @Test
  void callsIgnoreTheCallersGrpcContext_aCancelledIncomingRpcEndsNoWorkerCall() throws Exception {
    // An application that routes from inside its own gRPC handler, whose RPC was cancelled.
    io.grpc.Context.CancellableContext incoming = io.grpc.Context.current().withCancellation();
    incoming.cancel(null);
    io.grpc.Context previous = incoming.attach();
    try {
      assertThat(
              GenerateMappingTest.await(transport.generate(worker, request, TestContext.of("c-1")))
                  .outputIds().toArray())
          .containsExactly(1, 2, 3);
      GenerateMappingTest.await(transport.checkHealth(worker, TestContext.of("c-2")));
      try (ChunkSource<GenerateChunk> stream =
          transport.generateStream(worker, request, TestContext.of("c-3"))) {
        GenerateChunk last = null;
        for (GenerateChunk c = stream.next(); c != null; c = stream.next()) {
          last = c;
        }
        assertThat(last).isNotNull();
        assertThat(last.isLast()).isTrue();
      }
    } finally {
      incoming.detach(previous);
    }
  }

  @Test
  void generateStream_deadlineWhileWaitingForTheFirstMessage() {
    scheduler.script = (req, out) -> scheduler.stall();
    TestContext context = new TestContext("slow-2", Duration.ofMillis(300), Map.of());

    assertThatThrownBy(() -> transport.generateStream(worker, request, context))
        .isInstanceOf(RequestTimeoutException.class);
  }

  @Test
  void generateStream_deadlineAfterChunks_timesOutAndAborts() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(ScriptedScheduler.chunk(req.getRequestId(), List.of(1, 2), 2));
          scheduler.stall();
        };
    // Long enough to cover the call's start and the first chunk on a busy machine.
    TestContext context = new TestContext("slow-3", Duration.ofSeconds(2), Map.of());

    try (ChunkSource<GenerateChunk> source = transport.generateStream(worker, request, context)) {
      assertThat(source.next().newOutputIds()).isEqualTo(TokenIds.of(1, 2));
      assertThatThrownBy(source::next)
          .isInstanceOfSatisfying(RequestTimeoutException.class,
              e -> assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(2)));
    }
    assertThat(scheduler.aborts.poll(10, TimeUnit.SECONDS)).isEqualTo("slow-3");
  }

  @Test
  void generate_sendsTheRequestsRemainingTimeAsTheGrpcDeadline() throws Exception {
    LinkedBlockingQueue<Long> remainingMillis = new LinkedBlockingQueue<>();
    scheduler.script =
        (req, out) -> {
          Deadline deadline = io.grpc.Context.current().getDeadline();
          remainingMillis.add(
              deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS));
          ScriptedScheduler.complete(out, req, List.of(1), "stop");
        };

    GenerateMappingTest.await(transport.generate(worker, request,
        new TestContext("d1", Duration.ofSeconds(20), Map.of())));
    GenerateMappingTest.await(transport.generate(worker, request,
        new TestContext("d2", Duration.ofDays(5 * 365), Map.of())));

    // The server sees the request's own deadline (less the time already spent), not a default.
    assertThat(remainingMillis.poll(10, TimeUnit.SECONDS)).isBetween(1L, 20_000L);
    // A practically unlimited request gets the one-year cap rather than no deadline.
    assertThat(remainingMillis.poll(10, TimeUnit.SECONDS))
        .isBetween(Duration.ofDays(364).toMillis(), Duration.ofDays(365).toMillis());
  }

  @Test
  void generateStream_connectionLostMidStream_isARetryableStreamError() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(ScriptedScheduler.chunk(req.getRequestId(), List.of(1), 1));
          scheduler.stall();
        };
    try (CuttableProxy proxy = new CuttableProxy(scheduler.port())) {
      Worker behindProxy = Worker.of("cut", proxy.url());
      try (ChunkSource<GenerateChunk> source =
          transport.generateStream(behindProxy, request, TestContext.of("cut-1"))) {
        assertThat(source.next()).isNotNull();
        proxy.cut();
        // grpc-okhttp reports a lost connection as UNAVAILABLE without a cause, like a status the
        // server sent: a stream error with the 503 equivalent, retryable, so token streams resume.
        assertThatThrownBy(source::next)
            .isInstanceOfSatisfying(WorkerException.class, e -> {
              assertThat(e.kind()).isEqualTo(WorkerException.Kind.STREAM_ERROR);
              assertThat(e.statusCode()).isEqualTo(503);
              assertThat(e.isRetryable()).isTrue();
              assertThat(e.workerId()).isEqualTo("cut");
            });
      }
    }
  }

  @Test
  void generate_connectionLostAfterSending_failsRetryablyAndIsNotResentByGrpc() throws Exception {
    scheduler.script = (req, out) -> scheduler.stall();
    try (CuttableProxy proxy = new CuttableProxy(scheduler.port())) {
      Worker behindProxy = Worker.of("cut", proxy.url());
      CompletableFuture<?> future =
          transport.generate(behindProxy, request, TestContext.of("cut-2"));
      assertThat(scheduler.arrived.poll(10, TimeUnit.SECONDS)).isEqualTo("cut-2");

      proxy.cut();

      // The router decides about retries: grpc-java's transparent retry would otherwise send the
      // same request id to the worker again on a new connection and leave the future pending.
      assertThatThrownBy(() -> GenerateMappingTest.await(future))
          .isInstanceOfSatisfying(WorkerException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(503);
            assertThat(e.isRetryable()).isTrue();
          });
      scheduler.script = (req, out) -> ScriptedScheduler.complete(out, req, List.of(1), "stop");
      GenerateMappingTest.await(transport.generate(behindProxy, request, TestContext.of("after")));
      assertThat(scheduler.arrived.poll(10, TimeUnit.SECONDS)).isEqualTo("after");
    }
  }

  @Test
  void generate_answerAboveTheInboundMessageLimit_failsTheCall() throws Exception {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < 400_000; i++) {
      ids.add(100_000 + i % 1000);
    }
    scheduler.script = (req, out) -> ScriptedScheduler.complete(out, req, ids, "length");
    try (GrpcTransport small = GrpcTransport.builder().maxInboundMessageSize(1024 * 1024).build()) {
      assertThatThrownBy(() -> GenerateMappingTest.await(
          small.generate(worker, request, TestContext.of("big"))))
          .isInstanceOfSatisfying(WorkerException.class, e -> {
            assertThat(e.workerId()).isEqualTo("w1");
            assertThat(e.getMessage()).contains("RESOURCE_EXHAUSTED", "exceeds maximum size");
            // The client's own limit, not the worker rate-limiting: no 429, so no parking.
            assertThat(e.kind()).isEqualTo(WorkerException.Kind.MALFORMED_RESPONSE);
            assertThat(e.statusCode()).isNotEqualTo(429);
          });
    }
  }

  @Test
  void generate_expiredOrCancelledContext_sendsNothing() {
    TestContext expired = new TestContext("late", Duration.ofNanos(1), Map.of());
    TestContext cancelled = TestContext.of("gone");
    cancelled.cancel();

    assertThatThrownBy(() -> GenerateMappingTest.await(
        transport.generate(worker, request, expired)))
        .isInstanceOf(RequestTimeoutException.class);
    assertThatThrownBy(() -> GenerateMappingTest.await(
        transport.generate(worker, request, cancelled)))
        .isInstanceOf(RequestCancelledException.class);
    assertThat(scheduler.generates).isEmpty();
  }

  @Test
  void generate_cancelledContext_cancelsTheCallAndSendsAbortWithTheRequestId() throws Exception {
    scheduler.script = (req, out) -> scheduler.stall();
    TestContext context = TestContext.of("cancel-me");
    CompletableFuture<?> future = transport.generate(worker, request, context);
    assertThat(scheduler.arrived.poll(10, TimeUnit.SECONDS)).isEqualTo("cancel-me");

    context.cancel();

    assertThatThrownBy(() -> GenerateMappingTest.await(future))
        .isInstanceOf(RequestCancelledException.class);
    assertThat(scheduler.aborts.poll(10, TimeUnit.SECONDS)).isEqualTo("cancel-me");
    assertThat(scheduler.abortRequests.get(0).getReason()).isEqualTo("cancelled by the router");
    assertThat(scheduler.cancelledCalls.poll(10, TimeUnit.SECONDS)).isEqualTo("cancel-me");
  }

  @Test
  void generateStream_cancelledContext_wakesThePullAndAborts() throws Exception {
    scheduler.script =
        (req, out) -> {
          out.onNext(ScriptedScheduler.chunk(req.getRequestId(), List.of(1), 1));
          scheduler.stall();
        };
    TestContext context = TestContext.of("cancel-stream");
    try (ChunkSource<GenerateChunk> source = transport.generateStream(worker, request, context)) {
      assertThat(source.next()).isNotNull();
      context.cancel();
      assertThatThrownBy(source::next).isInstanceOf(RequestCancelledException.class);
    }
    assertThat(scheduler.aborts.poll(10, TimeUnit.SECONDS)).isEqualTo("cancel-stream");
  }

  @Test
  void generate_completedCall_isNotAbortedByALateCancel() throws Exception {
    StartedCalls started = new StartedCalls();
    ManagedChannel channel = started.channelTo(scheduler);
    try (GrpcTransport recorded = GrpcTransport.builder().channel(worker.id(), channel).build()) {
      TestContext context = TestContext.of("done");
      GenerateMappingTest.await(recorded.generate(worker, request, context));

      context.cancel();

      // An Abort would have been started on this thread, inside cancel().
      assertThat(started.methods()).containsExactly("Generate");
    } finally {
      channel.shutdownNow();
    }
    assertThat(scheduler.aborts).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "UNAVAILABLE, 503, true",
    "DEADLINE_EXCEEDED, 504, true",
    "RESOURCE_EXHAUSTED, 429, true",
    "INTERNAL, 500, true",
    "UNKNOWN, 500, true",
    "DATA_LOSS, 500, true",
    "UNIMPLEMENTED, 501, true",
    "INVALID_ARGUMENT, 400, false",
    "FAILED_PRECONDITION, 400, false",
    "OUT_OF_RANGE, 400, false",
    "UNAUTHENTICATED, 401, false",
    "PERMISSION_DENIED, 403, false",
    "NOT_FOUND, 404, false",
    "ABORTED, 409, false",
    "ALREADY_EXISTS, 409, false",
    "CANCELLED, 499, false"
  })
  void generate_serverStatus_mapsToTheHttpEquivalent(
      Status.Code code, int http, boolean retryable) {
    scheduler.script =
        (req, out) -> out.onError(Status.fromCode(code).withDescription("fault").asException());

    assertThatThrownBy(() -> GenerateMappingTest.await(
        transport.generate(worker, request, TestContext.of("f"))))
        .isInstanceOfSatisfying(WorkerException.class, e -> {
          assertThat(e.kind()).isEqualTo(WorkerException.Kind.HTTP_STATUS);
          assertThat(e.statusCode()).isEqualTo(http);
          assertThat(e.isRetryable()).isEqualTo(retryable);
          assertThat(e.workerId()).isEqualTo("w1");
          assertThat(e.getMessage()).contains(code.name(), "fault");
        });
  }

  @Test
  void generate_connectionRefused_isARetryableConnectionFailure() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Worker gone = Worker.of("gone", "grpc://127.0.0.1:" + port);

    assertThatThrownBy(() -> GenerateMappingTest.await(
        transport.generate(gone, request, TestContext.of("c"))))
        .isInstanceOfSatisfying(WorkerException.class, e -> {
          assertThat(e.kind()).isEqualTo(WorkerException.Kind.CONNECTION);
          assertThat(e.isRetryable()).isTrue();
        });
  }
}

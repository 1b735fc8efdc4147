package io.flexroute.transport.grpc.internal;

import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestCancelledException;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.CallContext;
import io.flexroute.spi.ChunkSource;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerGrpc;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Generate calls: plain ones folded into one result, and streams pulled chunk by chunk.
 *
 * <h2>Flow control</h2>
 *
 * Calls use grpc's manual flow control: one message is requested at start and one more each time a
 * message has been taken, so a stream's consumer pulls messages off the network only as fast as it
 * reads them, and the HTTP/2 window carries the backpressure to the worker.
 *
 * <h2>Ending</h2>
 *
 * A call ends at its first {@code complete} message, at a status, when its context is cancelled,
 * or when the consumer closes the stream. Ending it from our side (cancel, close before the end,
 * or our deadline) cancels the gRPC call, which makes the server abort the request, and also sends
 * {@code Abort} with the request id, as SGLang's own router does.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class GenerateCalls {

  private static final Logger log = LoggerFactory.getLogger(GenerateCalls.class);

  private final ChannelPool channels;
  private final UnaryCalls unary;
  private final RequestCodec codec;

  /**
   * Creates the runner.
   *
   * @param channels where the channels come from
   * @param unary runs Abort
   * @param codec builds requests
   */
  public GenerateCalls(ChannelPool channels, UnaryCalls unary, RequestCodec codec) {
    this.channels = channels;
    this.unary = unary;
    this.codec = codec;
  }

  /**
   * Runs a Generate call without streaming and folds its messages into one result. Never throws.
   *
   * @param worker the worker
   * @param request the request
   * @param context the call's context
   * @return the result, completed on the channel's executor
   */
  public CompletableFuture<GenerateResult> generate(
      Worker worker, GenerateRequest request, CallContext context) {
    Call call;
    try {
      call = new Call(worker, request, context, false);
    } catch (RouterException e) {
      return CompletableFuture.failedFuture(e);
    }
    return call.result;
  }

  /**
   * Starts a streaming Generate call and blocks until the worker accepted it (response headers or a
   * first message arrived) or the call ended.
   *
   * @param worker the worker
   * @param request the request
   * @param context the call's context
   * @return the chunk source
   * @throws RouterException if the call failed before the stream started
   */
  public ChunkSource<GenerateChunk> generateStream(
      Worker worker, GenerateRequest request, CallContext context) {
    Call call = new Call(worker, request, context, true);
    call.awaitStart();
    return call;
  }

  private static final Object CLOSED = new Object();

  /** One Generate call: the gRPC listener, and for streams the chunk source. */
  private final class Call extends ClientCall.Listener<SglangSchedulerProto.GenerateResponse>
      implements ChunkSource<GenerateChunk> {

    private final Worker worker;
    private final CallContext context;
    private final boolean streaming;
    private final CallSupport.Timing timing;
    private final GenerateAssembler assembler;
    private final ClientCall<SglangSchedulerProto.GenerateRequest,
        SglangSchedulerProto.GenerateResponse> call;
    private final CompletableFuture<GenerateResult> result = new CompletableFuture<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** Set once the call ended, by whichever end came first. */
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean sourceClosed = new AtomicBoolean();
    private volatile boolean closedByConsumer;
    private volatile boolean streamStarted;
    /** Plain calls: a protocol violation found while reading, reported at close. */
    private volatile @Nullable RouterException readFailure;
    /** Streams, on the pulling thread only. */
    private boolean done;
    private @Nullable RouterException failure;

    Call(Worker worker, GenerateRequest request, CallContext context, boolean streaming) {
      RequestCodec.check(worker, request);
      this.worker = worker;
      this.context = context;
      this.streaming = streaming;
      this.timing = CallSupport.timing(context);
      this.assembler = new GenerateAssembler(worker, context.requestId());
      SglangSchedulerProto.GenerateRequest message =
          codec.encode(request, context.requestId(), streaming);
      Metadata md = CallSupport.metadata(worker, context.requestId(), context.headers());
      io.grpc.Context previous = CallSupport.enterRoot();
      try {
        this.call =
            channels
                .channel(worker)
                .newCall(SglangSchedulerGrpc.getGenerateMethod(), CallSupport.options(timing));
        if (log.isDebugEnabled()) {
          log.debug(
              "Generate{} on worker {} for request {}",
              streaming ? " (stream)" : "", worker.id(), context.requestId());
        }
        call.start(this, md);
        call.sendMessage(message);
        call.halfClose();
        call.request(1);
      } finally {
        CallSupport.leaveRoot(previous);
      }
      context.onCancel(() -> cancel("cancelled by the router", false));
    }

    // ---- gRPC listener (serialized by grpc, on the channel's executor)

    @Override
    public void onHeaders(Metadata headers) {
      streamStarted = true;
      started.complete(null);
    }

    @Override
    public void onMessage(SglangSchedulerProto.GenerateResponse message) {
      streamStarted = true;
      started.complete(null);
      if (streaming) {
        inbox.add(message);
        return;
      }
      if (readFailure != null) {
        return;
      }
      try {
        assembler.accept(message);
        if (assembler.isComplete()) {
          // The answer is whole: a cancel arriving before the trailers must neither abort it on
          // the worker nor turn it into a cancellation.
          ended.set(true);
        }
        call.request(1);
      } catch (WorkerException e) {
        readFailure = e;
        if (ended.compareAndSet(false, true)) {
          call.cancel("unreadable answer", null);
        }
      }
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      boolean endedHere = ended.compareAndSet(false, true);
      if (endedHere
          && status.getCode() == Status.Code.DEADLINE_EXCEEDED
          && timing.deadline().isExpired()
          && !assembler.isComplete()) {
        unary.abortQuietly(worker, context.requestId(), "deadline exceeded");
      }
      if (streaming) {
        inbox.add(status);
        started.complete(null);
        return;
      }
      RouterException read = readFailure;
      if (read != null) {
        result.completeExceptionally(read);
      } else if (status.isOk()) {
        try {
          result.complete(assembler.result());
        } catch (RouterException e) {
          result.completeExceptionally(e);
        }
      } else {
        result.completeExceptionally(mapStatus(status, false));
      }
    }

    private RouterException mapStatus(Status status, boolean afterStart) {
      RouterException e =
          Failures.fromStatus(
              status,
              worker,
              context.requestId(),
              context.timeout(),
              timing.deadline().isExpired(),
              context.isCancelled() || closedByConsumer,
              afterStart);
      log.debug(
          "Generate on worker {} for request {} failed: {}",
          worker.id(), context.requestId(), e.toString());
      return e;
    }

    /** Ends the call from our side: cancels it and sends Abort, unless it already ended. */
    private void cancel(String why, boolean byConsumer) {
      if (byConsumer) {
        closedByConsumer = true;
      }
      if (ended.compareAndSet(false, true)) {
        call.cancel(why, null);
        unary.abortQuietly(worker, context.requestId(), why);
      }
    }

    // ---- streams

    void awaitStart() {
      try {
        started.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new RequestCancelledException(context.requestId());
      } catch (ExecutionException e) {
        throw new IllegalStateException("start signal failed", e);
      }
      Object first = inbox.peek();
      if (first instanceof Status status && !status.isOk() && !streamStarted) {
        inbox.poll();
        throw mapStatus(status, false);
      }
    }

    @Override
    public @Nullable GenerateChunk next() {
      if (done) {
        return null;
      }
      RouterException known = failure;
      if (known != null) {
        throw known;
      }
      if (sourceClosed.get()) {
        // Closed by its consumer: chunks still buffered are not handed out any more.
        throw fail(new RequestCancelledException(context.requestId()));
      }
      Object event;
      try {
        event = inbox.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw fail(new RequestCancelledException(context.requestId()));
      }
      if (event instanceof SglangSchedulerProto.GenerateResponse message) {
        GenerateChunk chunk;
        try {
          chunk = assembler.accept(message);
        } catch (WorkerException e) {
          cancel("unreadable answer", false);
          throw fail(e);
        }
        if (assembler.isComplete()) {
          done = true;
          ended.set(true);
        }
        call.request(1);
        return chunk;
      }
      if (event == CLOSED) {
        throw fail(new RequestCancelledException(context.requestId()));
      }
      Status status = (Status) event;
      if (status.isOk()) {
        throw fail(assembler.incomplete());
      }
      throw fail(mapStatus(status, streamStarted));
    }

    private RouterException fail(RouterException e) {
      failure = e;
      return e;
    }

    @Override
    public void close() {
      if (sourceClosed.compareAndSet(false, true)) {
        cancel("stream closed by the consumer", true);
        inbox.add(CLOSED);
      }
    }
  }
}

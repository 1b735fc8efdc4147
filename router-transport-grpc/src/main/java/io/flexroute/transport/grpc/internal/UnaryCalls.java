package io.flexroute.transport.grpc.internal;

import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.flexroute.spi.CallContext;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerGrpc;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the unary RPCs of the scheduler service (HealthCheck, Abort, GetLoads, GetModelInfo,
 * GetServerInfo) and maps their outcome.
 *
 * <p>Instances are immutable and thread-safe. Futures complete on the channel's executor.
 */
public final class UnaryCalls {

  private static final Logger log = LoggerFactory.getLogger(UnaryCalls.class);

  private final ChannelPool channels;
  private final Duration abortTimeout;

  /**
   * Creates the runner.
   *
   * @param channels where the channels come from
   * @param abortTimeout the deadline of an Abort call
   */
  public UnaryCalls(ChannelPool channels, Duration abortTimeout) {
    this.channels = channels;
    this.abortTimeout = abortTimeout;
  }

  /**
   * Runs a unary call within a context's deadline and cancellation. Never throws.
   *
   * @param <Q> the request type
   * @param <R> the response type
   * @param worker the worker
   * @param method the RPC
   * @param request the request message
   * @param context the call's context
   * @return the response
   */
  public <Q, R> CompletableFuture<R> call(
      Worker worker, MethodDescriptor<Q, R> method, Q request, CallContext context) {
    try {
      CallSupport.Timing timing = CallSupport.timing(context);
      Metadata md = CallSupport.metadata(worker, context.requestId(), context.headers());
      return start(worker, method, request, CallSupport.options(timing), md, timing, context);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(notStarted(e));
    }
  }

  /**
   * Runs a unary call with a fixed timeout and no request context. Never throws.
   *
   * @param <Q> the request type
   * @param <R> the response type
   * @param worker the worker
   * @param method the RPC
   * @param request the request message
   * @param timeout the call's deadline
   * @return the response
   */
  public <Q, R> CompletableFuture<R> call(
      Worker worker, MethodDescriptor<Q, R> method, Q request, Duration timeout) {
    try {
      CallSupport.Timing timing =
          new CallSupport.Timing(
              io.grpc.Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS), timeout);
      Metadata md = CallSupport.metadata(worker, null, worker.headers());
      return start(worker, method, request, CallSupport.options(timing), md, timing, null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(notStarted(e));
    }
  }

  /** A call that could not start, as the future's failure: these methods never throw. */
  private static RouterException notStarted(RuntimeException e) {
    return e instanceof RouterException re
        ? re
        : new RouterException("could not start the call: " + e, e);
  }

  /**
   * Sends {@code Abort} for a request id, without waiting; failures are logged at DEBUG. Never
   * throws.
   *
   * @param worker the worker
   * @param requestId the id (SGLang aborts every request whose id starts with it)
   * @param reason why, for the server's log
   */
  public void abortQuietly(Worker worker, String requestId, String reason) {
    abort(worker, requestId, reason)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                log.debug("Abort of request {} on worker {} failed: {}", requestId, worker.id(),
                    e.toString());
              } else {
                log.debug("Abort of request {} on worker {}: success={}", requestId, worker.id(),
                    r.getSuccess());
              }
            });
  }

  /**
   * Sends {@code Abort} for a request id. Never throws.
   *
   * @param worker the worker
   * @param requestId the id
   * @param reason why, for the server's log
   * @return the answer
   */
  public CompletableFuture<SglangSchedulerProto.AbortResponse> abort(
      Worker worker, String requestId, String reason) {
    if (requestId.isEmpty()) {
      // SGLang aborts by id prefix: an empty id would abort every request on the worker.
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("an Abort needs a request id; an empty one aborts all"));
    }
    SglangSchedulerProto.AbortRequest request =
        SglangSchedulerProto.AbortRequest.newBuilder()
            .setRequestId(requestId)
            .setReason(reason)
            .build();
    return call(worker, SglangSchedulerGrpc.getAbortMethod(), request, abortTimeout);
  }

  private <Q, R> CompletableFuture<R> start(
      Worker worker,
      MethodDescriptor<Q, R> method,
      Q request,
      CallOptions options,
      Metadata md,
      CallSupport.Timing timing,
      @Nullable CallContext context) {
    // An Abort may come after its worker left the fleet (its request outlived the removal): it
    // must not reopen a channel that stays open until the transport closes.
    ManagedChannel channel =
        method == SglangSchedulerGrpc.getAbortMethod()
            ? channels.channelForAbort(worker)
            : channels.channel(worker);
    CompletableFuture<R> future = new CompletableFuture<>();
    AtomicBoolean ended = new AtomicBoolean();
    String requestId = context != null ? context.requestId() : method.getBareMethodName();
    io.grpc.Context previous = CallSupport.enterRoot();
    ClientCall<Q, R> call;
    try {
      call = channel.newCall(method, options);
      startCall(call, worker, method, timing, context, future, ended, requestId, md, request);
    } finally {
      CallSupport.leaveRoot(previous);
    }
    if (context != null) {
      context.onCancel(
          () -> {
            if (!ended.get()) {
              call.cancel("cancelled by the router", null);
            }
          });
    }
    return future;
  }

  private static <Q, R> void startCall(
      ClientCall<Q, R> call,
      Worker worker,
      MethodDescriptor<Q, R> method,
      CallSupport.Timing timing,
      @Nullable CallContext context,
      CompletableFuture<R> future,
      AtomicBoolean ended,
      String requestId,
      Metadata md,
      Q request) {
    call.start(
        new ClientCall.Listener<R>() {
          private @Nullable R response;

          @Override
          public void onMessage(R message) {
            response = message;
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            ended.set(true);
            R r = response;
            if (status.isOk() && r != null) {
              future.complete(r);
              return;
            }
            if (status.isOk()) {
              future.completeExceptionally(
                  Failures.malformed(worker, method.getBareMethodName() + " returned no message",
                      null));
              return;
            }
            RouterException failure =
                Failures.fromStatus(
                    status,
                    worker,
                    requestId,
                    context != null ? context.timeout() : timing.timeout(),
                    timing.deadline().isExpired(),
                    context != null && context.isCancelled(),
                    false);
            log.debug("{} on worker {} failed: {}", method.getBareMethodName(), worker.id(),
                failure.toString());
            future.completeExceptionally(failure);
          }
        },
        md);
    call.request(2);
    call.sendMessage(request);
    call.halfClose();
  }
}

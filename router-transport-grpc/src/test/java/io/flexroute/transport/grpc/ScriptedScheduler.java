package io.flexroute.transport.grpc;

import io.flexroute.transport.grpc.internal.proto.SglangSchedulerGrpc;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.GenerateComplete;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.GenerateRequest;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.GenerateResponse;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.GenerateStreamChunk;
import io.grpc.Contexts;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.okhttp.OkHttpServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted SGLang scheduler for the transport's own tests, on a loopback port (grpc-okhttp's
 * server): each test sets what Generate answers and the unary RPCs return, and reads what arrived.
 * (router-testkit's FakeScheduler cannot be used here: router-testkit depends on this module.)
 */
final class ScriptedScheduler implements AutoCloseable {

  /** What Generate does with one call. */
  @FunctionalInterface
  interface GenerateScript {
    void run(GenerateRequest request, ServerCallStreamObserver<GenerateResponse> out)
        throws Exception;
  }

  static final io.grpc.Context.Key<Metadata> METADATA = io.grpc.Context.key("metadata");

  final List<GenerateRequest> generates = new CopyOnWriteArrayList<>();
  final List<Metadata> metadata = new CopyOnWriteArrayList<>();
  final LinkedBlockingQueue<String> arrived = new LinkedBlockingQueue<>();
  final LinkedBlockingQueue<String> aborts = new LinkedBlockingQueue<>();
  final List<SglangSchedulerProto.AbortRequest> abortRequests = new CopyOnWriteArrayList<>();
  final LinkedBlockingQueue<String> cancelledCalls = new LinkedBlockingQueue<>();
  private final Set<CountDownLatch> stalls = ConcurrentHashMap.newKeySet();
  private volatile boolean released;

  volatile GenerateScript script = (req, out) -> complete(out, req, List.of(1, 2, 3), "stop");
  volatile SglangSchedulerProto.HealthCheckResponse health =
      SglangSchedulerProto.HealthCheckResponse.newBuilder().setHealthy(true).build();
  volatile SglangSchedulerProto.GetLoadsResponse loads =
      SglangSchedulerProto.GetLoadsResponse.getDefaultInstance();
  volatile SglangSchedulerProto.GetModelInfoResponse modelInfo =
      SglangSchedulerProto.GetModelInfoResponse.getDefaultInstance();
  volatile SglangSchedulerProto.GetServerInfoResponse serverInfo =
      SglangSchedulerProto.GetServerInfoResponse.getDefaultInstance();
  volatile io.flexroute.transport.grpc.internal.proto.CommonProto.FlushCacheResponse flush =
      io.flexroute.transport.grpc.internal.proto.CommonProto.FlushCacheResponse.newBuilder()
          .setSuccess(true).setMessage("Cache flushed.").build();
  final List<io.flexroute.transport.grpc.internal.proto.CommonProto.FlushCacheRequest>
      flushRequests = new CopyOnWriteArrayList<>();
  volatile Status unaryStatus = Status.OK;
  final List<SglangSchedulerProto.GetLoadsRequest> loadsRequests = new CopyOnWriteArrayList<>();

  private final Server server;

  ScriptedScheduler() {
    server =
        OkHttpServerBuilder.forPort(0, InsecureServerCredentials.create())
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .addService(
                ServerInterceptors.intercept(
                    new Service(),
                    new io.grpc.ServerInterceptor() {
                      @Override
                      public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
                          io.grpc.ServerCall<Q, R> call, Metadata headers,
                          io.grpc.ServerCallHandler<Q, R> next) {
                        metadata.add(headers);
                        return Contexts.interceptCall(
                            io.grpc.Context.current().withValue(METADATA, headers), call,
                            headers, next);
                      }
                    }))
            .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return server.getPort();
  }

  String url() {
    return "grpc://127.0.0.1:" + port();
  }

  static GenerateResponse chunk(String rid, List<Integer> ids, int completionTokens) {
    return GenerateResponse.newBuilder()
        .setRequestId(rid)
        .setChunk(
            GenerateStreamChunk.newBuilder()
                .addAllTokenIds(ids)
                .setPromptTokens(3)
                .setCompletionTokens(completionTokens))
        .build();
  }

  static void complete(
      StreamObserver<GenerateResponse> out, GenerateRequest req, List<Integer> ids,
      String finish) {
    out.onNext(
        GenerateResponse.newBuilder()
            .setRequestId(req.getRequestId())
            .setComplete(
                GenerateComplete.newBuilder()
                    .addAllOutputIds(ids)
                    .setFinishReason(finish)
                    .setPromptTokens(req.getTokenized().getInputIdsCount())
                    .setCompletionTokens(ids.size()))
            .build());
    out.onCompleted();
  }

  /**
   * Holds the calling Generate script until the call is cancelled (by the client or its deadline)
   * or the scheduler closes.
   */
  void stall() throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(1);
    io.grpc.Context.current().addListener(c -> latch.countDown(), Runnable::run);
    stalls.add(latch);
    if (released) {
      latch.countDown();
    }
    latch.await();
    stalls.remove(latch);
  }

  @Override
  public void close() throws InterruptedException {
    released = true;
    stalls.forEach(CountDownLatch::countDown);
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  private final class Service extends SglangSchedulerGrpc.SglangSchedulerImplBase {

    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> out) {
      generates.add(request);
      arrived.add(request.getRequestId());
      ServerCallStreamObserver<GenerateResponse> call =
          (ServerCallStreamObserver<GenerateResponse>) out;
      io.grpc.Context.current()
          .addListener(
              c -> {
                if (c.cancellationCause() != null) {
                  cancelledCalls.add(request.getRequestId());
                }
              },
              Runnable::run);
      try {
        script.run(request, call);
      } catch (Exception e) {
        if (!call.isCancelled()) {
          out.onError(Status.INTERNAL.withDescription("script failed: " + e).asException());
        }
      }
    }

    @Override
    public void healthCheck(
        SglangSchedulerProto.HealthCheckRequest request,
        StreamObserver<SglangSchedulerProto.HealthCheckResponse> out) {
      unary(out, health);
    }

    @Override
    public void abort(
        SglangSchedulerProto.AbortRequest request,
        StreamObserver<SglangSchedulerProto.AbortResponse> out) {
      abortRequests.add(request);
      aborts.add(request.getRequestId());
      out.onNext(SglangSchedulerProto.AbortResponse.newBuilder().setSuccess(true).build());
      out.onCompleted();
    }

    @Override
    public void getLoads(
        SglangSchedulerProto.GetLoadsRequest request,
        StreamObserver<SglangSchedulerProto.GetLoadsResponse> out) {
      loadsRequests.add(request);
      unary(out, loads);
    }

    @Override
    public void getModelInfo(
        SglangSchedulerProto.GetModelInfoRequest request,
        StreamObserver<SglangSchedulerProto.GetModelInfoResponse> out) {
      unary(out, modelInfo);
    }

    @Override
    public void getServerInfo(
        SglangSchedulerProto.GetServerInfoRequest request,
        StreamObserver<SglangSchedulerProto.GetServerInfoResponse> out) {
      unary(out, serverInfo);
    }

    @Override
    public void flushCache(
        io.flexroute.transport.grpc.internal.proto.CommonProto.FlushCacheRequest request,
        StreamObserver<io.flexroute.transport.grpc.internal.proto.CommonProto.FlushCacheResponse>
            out) {
      flushRequests.add(request);
      unary(out, flush);
    }

    private <T> void unary(StreamObserver<T> out, T response) {
      Status status = unaryStatus;
      if (!status.isOk()) {
        out.onError(status.asException());
        return;
      }
      out.onNext(response);
      out.onCompleted();
    }
  }
}

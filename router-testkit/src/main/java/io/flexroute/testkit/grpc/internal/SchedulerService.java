package io.flexroute.testkit.grpc.internal;

import io.flexroute.TokenIds;
import io.flexroute.testkit.grpc.GrpcFault;
import io.flexroute.testkit.grpc.RecordedGenerate;
import io.flexroute.testkit.grpc.SchedulerOutput;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerGrpc;
import io.flexroute.transport.grpc.internal.proto.CommonProto;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto;
import io.flexroute.transport.grpc.internal.proto.SglangSchedulerProto.GenerateResponse;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The fake scheduler's service: answers Generate from a script with SGLang's message sequence,
 * paces tokens, injects faults, aborts by id prefix, and reports health, loads and information.
 *
 * <p>Thread-safe. Each call's messages are sent by one task at a time; aborts and closing
 * synchronise with it on the call.
 */
public final class SchedulerService extends SglangSchedulerGrpc.SglangSchedulerImplBase {

  /** The context key under which the server interceptor stores each call's metadata. */
  public static final Context.Key<Metadata> METADATA = Context.key("flexroute-metadata");

  private static final Set<String> LOAD_SECTIONS =
      Set.of("core", "memory", "spec", "lora", "disagg", "queues", "all");

  /** The service's settings. */
  public record Settings(
      String model,
      SchedulerOutput.Script script,
      Duration ttft,
      Duration interTokenDelay,
      int tokensPerChunk,
      int maxContextLength,
      int maxTotalTokens,
      int requestLogCapacity) {}

  private final Settings settings;
  private final ScheduledExecutorService timer;
  private final ConcurrentLinkedQueue<GrpcFault> faults = new ConcurrentLinkedQueue<>();
  private final List<RecordedGenerate> log = Collections.synchronizedList(new ArrayList<>());
  private final List<String> aborts = new CopyOnWriteArrayList<>();
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final AtomicLong received = new AtomicLong();
  private final Object idle = new Object();
  private final Instant started = Instant.now();
  private volatile boolean healthy = true;
  private volatile String weightVersion = "default";
  private volatile double tokenUsage = Double.NaN;
  private volatile boolean closed;
  private final AtomicLong flushes = new AtomicLong();

  /**
   * Creates the service.
   *
   * @param settings the settings
   * @param timer runs paced token steps
   */
  public SchedulerService(Settings settings, ScheduledExecutorService timer) {
    this.settings = settings;
    this.timer = timer;
  }

  // ---- control, called through FakeScheduler

  /** Queues a fault for the next Generate call. */
  public void enqueue(GrpcFault fault) {
    faults.add(fault);
  }

  /** Drops every queued fault. */
  public void clearFaults() {
    faults.clear();
  }

  /** The number of queued faults not used yet. */
  public int pendingFaults() {
    return faults.size();
  }

  /** The recorded Generate calls, oldest first. */
  public List<RecordedGenerate> requests() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  /** The number of Generate calls received, including those no longer in the log. */
  public long requestCount() {
    return received.get();
  }

  /** The request ids received by Abort, in arrival order. */
  public List<String> aborts() {
    return List.copyOf(aborts);
  }

  /** The Generate calls running now. */
  public int active() {
    return running.size();
  }

  /** Waits until the number of running calls satisfies a bound. */
  public boolean awaitActive(int count, boolean atLeast, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (atLeast ? running.size() < count : running.size() > count) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
      return true;
    }
  }

  /** Waits until Abort was received for a request id. */
  public boolean awaitAbort(String requestId, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (!aborts.contains(requestId)) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
      return true;
    }
  }

  /** Waits until at least {@code count} Generate calls arrived in total. */
  public boolean awaitReceived(long count, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (received.get() < count) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
      return true;
    }
  }

  private void signal() {
    synchronized (idle) {
      idle.notifyAll();
    }
  }

  /** Sets what HealthCheck answers. */
  public void setHealthy(boolean healthy) {
    this.healthy = healthy;
  }

  /** Whether HealthCheck answers healthy. */
  public boolean isHealthy() {
    return healthy;
  }

  /** Sets the weight version GetModelInfo reports. */
  public void setWeightVersion(String weightVersion) {
    this.weightVersion = weightVersion;
  }

  /** The weight version GetModelInfo reports. */
  public String weightVersion() {
    return weightVersion;
  }

  /** Fixes the token usage GetLoads reports; NaN estimates it from the running calls. */
  public void setTokenUsage(double tokenUsage) {
    this.tokenUsage = tokenUsage;
  }

  /** Ends every running call with UNAVAILABLE and refuses new ones. */
  public void close() {
    closed = true;
    for (Running r : List.copyOf(running.values())) {
      r.fail(Status.UNAVAILABLE.withDescription("the fake scheduler is closing"));
    }
  }

  // ---- RPCs

  @Override
  public void generate(
      SglangSchedulerProto.GenerateRequest request, StreamObserver<GenerateResponse> out) {
    RecordedGenerate recorded = record(request);
    received.incrementAndGet();
    signal();
    if (closed) {
      out.onError(Status.UNAVAILABLE.withDescription("the fake scheduler is closing")
          .asException());
      return;
    }
    Status invalid = validate(request);
    if (invalid != null) {
      out.onError(invalid.asException());
      return;
    }
    GrpcFault fault = faults.poll();
    if (fault != null && fault.kind() == GrpcFault.Kind.STATUS) {
      out.onError(Status.fromCode(fault.code()).withDescription(fault.description())
          .asException());
      return;
    }
    SchedulerOutput output = settings.script().generate(recorded);
    Integer max = recorded.maxNewTokens();
    if (max != null && output.ids().size() > max) {
      output =
          new SchedulerOutput(
              output.ids().subList(0, max),
              io.flexroute.TokenLogprobs.of(java.util.Arrays.copyOf(output.logprobs().toArray(),
                  max)),
              "length",
              null);
    }
    Running r = new Running(request, recorded, output, fault, out);
    running.put(r.key, r);
    signal();
    Context.current().addListener(c -> r.cancelledByClient(), Runnable::run);
    r.start();
  }

  private RecordedGenerate record(SglangSchedulerProto.GenerateRequest q) {
    SglangSchedulerProto.SamplingParams p = q.getSamplingParams();
    Map<String, String> md = new LinkedHashMap<>();
    Metadata metadata = METADATA.get();
    if (metadata != null) {
      for (String key : metadata.keys()) {
        if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          String v = metadata.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
          if (v != null) {
            md.put(key, v);
          }
        }
      }
    }
    RecordedGenerate r =
        new RecordedGenerate(
            q.getRequestId(),
            ids(q.getTokenized().getInputIdsList()),
            p.hasMaxNewTokens() ? p.getMaxNewTokens() : null,
            p.getMinNewTokens(),
            p.getTemperature(),
            p.getTopP(),
            p.getTopK(),
            p.getMinP(),
            p.getRepetitionPenalty(),
            p.getN(),
            p.getIgnoreEos(),
            p.getSkipSpecialTokens(),
            ids(p.getStopTokenIdsList()),
            p.getStopList(),
            q.getStream(),
            q.getReturnLogprob(),
            q.getLogprobStartLen(),
            q.getTopLogprobsNum(),
            md);
    synchronized (log) {
      log.add(r);
      if (log.size() > settings.requestLogCapacity()) {
        log.remove(0);
      }
    }
    return r;
  }

  private static TokenIds ids(List<Integer> list) {
    int[] a = new int[list.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = list.get(i);
    }
    return TokenIds.of(a);
  }

  /** The checks SGLang's servicer makes, so that proto3 zero values are caught as they would be. */
  private @Nullable Status validate(SglangSchedulerProto.GenerateRequest q) {
    if (q.getRequestId().isEmpty()) {
      return Status.INVALID_ARGUMENT.withDescription("request_id must not be empty");
    }
    if (!q.hasTokenized() || q.getTokenized().getInputIdsCount() == 0) {
      return Status.INVALID_ARGUMENT.withDescription("Tokenized input must be provided");
    }
    if (!q.hasSamplingParams()) {
      return Status.INVALID_ARGUMENT.withDescription("sampling_params must be set");
    }
    SglangSchedulerProto.SamplingParams p = q.getSamplingParams();
    if (p.getTopP() <= 0 || p.getTopP() > 1) {
      return Status.INVALID_ARGUMENT.withDescription("top_p must be in (0, 1], got "
          + p.getTopP());
    }
    if (p.getTopK() == 0 || p.getTopK() < -1) {
      return Status.INVALID_ARGUMENT.withDescription("top_k must be -1 or >= 1, got "
          + p.getTopK());
    }
    if (p.getRepetitionPenalty() <= 0) {
      return Status.INVALID_ARGUMENT.withDescription("repetition_penalty must be > 0, got "
          + p.getRepetitionPenalty());
    }
    if (p.getN() > 1) {
      return Status.INVALID_ARGUMENT.withDescription("the fake scheduler serves n = 1 only");
    }
    if (q.getTokenized().getInputIdsCount() >= settings.maxContextLength()) {
      return Status.INVALID_ARGUMENT.withDescription("the input is longer than the context");
    }
    return null;
  }

  @Override
  public void healthCheck(
      SglangSchedulerProto.HealthCheckRequest request,
      StreamObserver<SglangSchedulerProto.HealthCheckResponse> out) {
    boolean ok = healthy && !closed;
    out.onNext(SglangSchedulerProto.HealthCheckResponse.newBuilder()
        .setHealthy(ok)
        .setMessage(ok ? "Health check passed" : "the fake scheduler is unhealthy")
        .build());
    out.onCompleted();
  }

  @Override
  public void abort(
      SglangSchedulerProto.AbortRequest request,
      StreamObserver<SglangSchedulerProto.AbortResponse> out) {
    String prefix = request.getRequestId();
    aborts.add(prefix);
    signal();
    boolean found = false;
    for (Running r : List.copyOf(running.values())) {
      if (!prefix.isEmpty() && r.key.startsWith(prefix)) {
        found = true;
        r.fail(Status.INTERNAL.withDescription("Request aborted"));
      }
    }
    out.onNext(SglangSchedulerProto.AbortResponse.newBuilder()
        .setSuccess(true)
        .setMessage("Request " + prefix + (found ? " aborted" : " not found"))
        .build());
    out.onCompleted();
  }

  @Override
  public void getLoads(
      SglangSchedulerProto.GetLoadsRequest request,
      StreamObserver<SglangSchedulerProto.GetLoadsResponse> out) {
    for (String s : request.getIncludeList()) {
      if (!LOAD_SECTIONS.contains(s)) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("unknown section: " + s)
            .asException());
        return;
      }
    }
    int count = running.size();
    long tokens = 0;
    for (Running r : running.values()) {
      tokens += r.recorded.inputIds().size() + r.sent;
    }
    double usage = Double.isNaN(tokenUsage)
        ? Math.min(1.0, tokens / (double) settings.maxTotalTokens())
        : tokenUsage;
    SglangSchedulerProto.SchedulerLoad load =
        SglangSchedulerProto.SchedulerLoad.newBuilder()
            .setDpRank(0)
            .setNumRunningReqs(count)
            .setNumWaitingReqs(0)
            .setNumTotalReqs(count)
            .setNumUsedTokens((int) Math.min(Integer.MAX_VALUE, tokens))
            .setMaxTotalNumTokens(settings.maxTotalTokens())
            .setTokenUsage(usage)
            .setMaxRunningRequests(256)
            .build();
    out.onNext(SglangSchedulerProto.GetLoadsResponse.newBuilder()
        .setTimestamp(Instant.now().toString())
        .setVersion("fake")
        .setDpRankCount(1)
        .addLoads(load)
        .setAggregate(SglangSchedulerProto.AggregateMetrics.newBuilder()
            .setTotalRunningReqs(count)
            .setTotalWaitingReqs(0)
            .setTotalReqs(count)
            .setAvgTokenUsage(usage))
        .build());
    out.onCompleted();
  }

  @Override
  public void getModelInfo(
      SglangSchedulerProto.GetModelInfoRequest request,
      StreamObserver<SglangSchedulerProto.GetModelInfoResponse> out) {
    out.onNext(SglangSchedulerProto.GetModelInfoResponse.newBuilder()
        .setModelPath(settings.model())
        .setTokenizerPath(settings.model())
        .setServedModelName(settings.model())
        .setWeightVersion(weightVersion)
        .setIsGeneration(true)
        .setMaxContextLength(settings.maxContextLength())
        .setMaxReqInputLen(settings.maxContextLength() - 1)
        .setVocabSize(FakeOutputs.VOCAB_SIZE)
        .addEosTokenIds(FakeOutputs.EOS_TOKEN_ID)
        .setModelType("fake")
        .addArchitectures("FakeForCausalLM")
        .setDefaultSamplingParamsJson(
            "{\"temperature\":1.0,\"top_p\":1.0,\"top_k\":-1,\"min_p\":0.0,"
                + "\"repetition_penalty\":1.0}")
        .build());
    out.onCompleted();
  }

  /**
   * Flushes the (absent) prefix cache: {@code success = false} while Generate calls run and the
   * request gives no timeout to wait, as SGLang refuses to flush a busy scheduler.
   */
  @Override
  public void flushCache(
      CommonProto.FlushCacheRequest request, StreamObserver<CommonProto.FlushCacheResponse> out) {
    boolean busy = !running.isEmpty() && request.getTimeoutS() <= 0;
    if (!busy) {
      flushes.incrementAndGet();
    }
    out.onNext(CommonProto.FlushCacheResponse.newBuilder()
        .setSuccess(!busy)
        .setMessage(busy
            ? "Cache not flushed because there are pending requests. #running-req: "
                + running.size()
            : "Cache flushed.")
        .build());
    out.onCompleted();
  }

  /** The number of successful FlushCache calls. */
  public long flushCount() {
    return flushes.get();
  }

  @Override
  public void getServerInfo(
      SglangSchedulerProto.GetServerInfoRequest request,
      StreamObserver<SglangSchedulerProto.GetServerInfoResponse> out) {
    out.onNext(SglangSchedulerProto.GetServerInfoResponse.newBuilder()
        .setActiveRequests(running.size())
        .setIsPaused(false)
        .setUptimeSeconds(Duration.between(started, Instant.now()).toMillis() / 1000.0)
        .setSglangVersion("fake")
        .setServerType("grpc")
        .setMaxTotalNumTokens(settings.maxTotalTokens())
        .build());
    out.onCompleted();
  }

  /** One running Generate call. */
  private final class Running {
    final String key;
    final SglangSchedulerProto.GenerateRequest request;
    final RecordedGenerate recorded;
    final SchedulerOutput output;
    final @Nullable GrpcFault fault;
    final StreamObserver<GenerateResponse> out;
    /** Tokens sent so far; written by the emitting task only. */
    volatile int sent;
    private boolean ended;

    Running(
        SglangSchedulerProto.GenerateRequest request,
        RecordedGenerate recorded,
        SchedulerOutput output,
        @Nullable GrpcFault fault,
        StreamObserver<GenerateResponse> out) {
      this.key = request.getRequestId() + "#" + System.identityHashCode(this);
      this.request = request;
      this.recorded = recorded;
      this.output = output;
      this.fault = fault;
      this.out = out;
    }

    /** How many tokens are sent before the fault strikes, or the whole output. */
    int limit() {
      GrpcFault f = fault;
      return f == null ? output.ids().size() : Math.min(f.afterTokens(), output.ids().size());
    }

    void start() {
      long ttft = settings.ttft().toNanos();
      if (ttft > 0) {
        timer.schedule(this::step, ttft, TimeUnit.NANOSECONDS);
      } else {
        step();
      }
    }

    /** Sends the next chunk (stream) or waits out the tokens (plain), then schedules itself. */
    void step() {
      long gap = settings.interTokenDelay().toNanos();
      int limit = limit();
      while (true) {
        synchronized (this) {
          if (ended) {
            return;
          }
          if (sent >= limit) {
            break;
          }
          int n = Math.min(settings.tokensPerChunk(), limit - sent);
          if (request.getStream()) {
            out.onNext(chunk(sent, n));
          }
          sent += n;
        }
        if (gap > 0 && sent < limit) {
          timer.schedule(this::step, gap * settings.tokensPerChunk(), TimeUnit.NANOSECONDS);
          return;
        }
      }
      finish();
    }

    private GenerateResponse chunk(int from, int n) {
      SglangSchedulerProto.GenerateStreamChunk.Builder c =
          SglangSchedulerProto.GenerateStreamChunk.newBuilder()
              .setPromptTokens(recorded.inputIds().size())
              .setCompletionTokens(from + n);
      for (int i = from; i < from + n; i++) {
        c.addTokenIds(output.ids().get(i));
      }
      if (request.getReturnLogprob()) {
        c.setOutputLogprobs(logprobs(from, from + n));
      }
      return GenerateResponse.newBuilder().setRequestId(request.getRequestId()).setChunk(c)
          .build();
    }

    private SglangSchedulerProto.OutputLogProbs logprobs(int from, int to) {
      SglangSchedulerProto.OutputLogProbs.Builder lp =
          SglangSchedulerProto.OutputLogProbs.newBuilder();
      for (int i = from; i < to; i++) {
        lp.addTokenLogprobs((float) output.logprobs().get(i));
        lp.addTokenIds(output.ids().get(i));
      }
      return lp.build();
    }

    private void finish() {
      GrpcFault f = fault;
      if (f != null && f.kind() == GrpcFault.Kind.STALL) {
        return; // held until cancelled, aborted or closed
      }
      if (f != null && f.kind() == GrpcFault.Kind.MID_STREAM) {
        fail(Status.fromCode(f.code()).withDescription(f.description()));
        return;
      }
      boolean aborted = f != null && f.kind() == GrpcFault.Kind.ABORT;
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        int total = sent;
        int lastFrom = request.getStream() ? Math.max(0, total - lastChunkSize(total)) : 0;
        SglangSchedulerProto.GenerateComplete.Builder c =
            SglangSchedulerProto.GenerateComplete.newBuilder()
                .setFinishReason(aborted ? "abort" : output.finishReason())
                .setPromptTokens(recorded.inputIds().size())
                .setCompletionTokens(total)
                .setCachedTokens(0);
        for (int i = lastFrom; i < total; i++) {
          c.addOutputIds(output.ids().get(i));
        }
        if (request.getReturnLogprob()) {
          c.setOutputLogprobs(logprobs(lastFrom, total));
        }
        Integer matched = output.matchedTokenId();
        if (!aborted && matched != null && total == output.ids().size()) {
          c.setMatchedTokenId(matched);
        }
        out.onNext(GenerateResponse.newBuilder().setRequestId(request.getRequestId())
            .setComplete(c).build());
        out.onCompleted();
      }
      done();
    }

    private int lastChunkSize(int total) {
      int size = settings.tokensPerChunk();
      int rest = total % size;
      return total == 0 ? 0 : (rest == 0 ? size : rest);
    }

    void fail(Status status) {
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
        try {
          out.onError(status.asException());
        } catch (IllegalStateException e) {
          // The call was already cancelled by the client.
        }
      }
      done();
    }

    void cancelledByClient() {
      synchronized (this) {
        ended = true;
      }
      done();
    }

    private void done() {
      running.remove(key);
      signal();
    }
  }
}

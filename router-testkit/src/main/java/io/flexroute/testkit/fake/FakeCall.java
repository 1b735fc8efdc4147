package io.flexroute.testkit.fake;

import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatMessage;
import io.flexroute.CompletionChunk;
import io.flexroute.FinishReason;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateResult;
import io.flexroute.InferenceRequest;
import io.flexroute.Operation;
import io.flexroute.RouterException;
import io.flexroute.TextCompletion;
import io.flexroute.TokenIds;
import io.flexroute.TokenLogprobs;
import io.flexroute.TokenUsage;
import io.flexroute.WorkerException;
import io.flexroute.spi.CallContext;
import io.flexroute.spi.ChunkSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One call a {@link FakeTransport} received. The test can inspect it and, when the transport's
 * behaviour held it, finish it: {@link #complete()}, {@link #fail}, or for streams {@link #emit},
 * {@link #end()} and {@link #failStream}.
 *
 * <p>Thread-safe: the test thread drives the call while the router reads it.
 */
public final class FakeCall {

  private static final Object END = new Object();
  private static final Object CLOSED = new Object();

  private final String workerId;
  private final InferenceRequest request;
  private final CallContext context;
  private final boolean streaming;
  private final CompletableFuture<Object> result = new CompletableFuture<>();
  private final LinkedBlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
  private final AtomicBoolean sourceClosed = new AtomicBoolean();
  private final AtomicInteger emitted = new AtomicInteger();
  private final CountDownLatch cancelled = new CountDownLatch(1);

  FakeCall(String workerId, InferenceRequest request, CallContext context, boolean streaming) {
    this.workerId = workerId;
    this.request = request;
    this.context = context;
    this.streaming = streaming;
    context.onCancel(this::onContextCancelled);
  }

  /** @return the id of the worker the call was sent to */
  public String workerId() {
    return workerId;
  }

  /** @return the request */
  public InferenceRequest request() {
    return request;
  }

  /** @return the request id the router sent */
  public String requestId() {
    return context.requestId();
  }

  /** @return the headers the router sent */
  public Map<String, String> headers() {
    return context.headers();
  }

  /** @return the time left until the call's deadline when it is read */
  public Duration remaining() {
    return context.remaining();
  }

  /** @return whether this is a stream call */
  public boolean streaming() {
    return streaming;
  }

  /** @return whether the router cancelled the call (caller cancel, deadline or close) */
  public boolean isCancelled() {
    return context.isCancelled();
  }

  /**
   * Waits until the router cancels the call.
   *
   * @param timeout how long to wait
   * @return {@code true} if it was cancelled in time
   * @throws InterruptedException if interrupted
   */
  public boolean awaitCancelled(Duration timeout) throws InterruptedException {
    return cancelled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** @return whether the router closed the stream's source */
  public boolean isSourceClosed() {
    return sourceClosed.get();
  }

  /** Completes a held call with a canned successful result. */
  public void complete() {
    if (streaming) {
      end();
    } else {
      result.complete(successResult());
    }
  }

  /**
   * Fails a held call.
   *
   * @param error the error the transport reports
   */
  public void fail(RouterException error) {
    if (streaming) {
      failStream(error);
    } else {
      result.completeExceptionally(error);
    }
  }

  /**
   * Emits one stream chunk carrying this text.
   *
   * @param text the text delta
   */
  public void emit(String text) {
    int n = emitted.incrementAndGet();
    chunks.add(chunk(text, n, false));
  }

  /**
   * Emits a chunk the test built, for shapes {@link #emit} does not make (usage on an
   * intermediate chunk, tool calls, several choices).
   *
   * @param chunk a chunk of the call's stream type ({@code GenerateChunk}, {@code ChatChunk} or
   *     {@code CompletionChunk})
   */
  public void emitChunk(Object chunk) {
    emitted.incrementAndGet();
    chunks.add(Objects.requireNonNull(chunk, "chunk"));
  }

  /** Ends a stream normally with a final chunk (finish reason and usage) and the end marker. */
  public void end() {
    chunks.add(chunk("", emitted.get(), true));
    chunks.add(END);
  }

  /**
   * Breaks a stream with an error at this point.
   *
   * @param error the error the source throws
   */
  public void failStream(RouterException error) {
    chunks.add(error);
  }

  CompletableFuture<Object> result() {
    return result;
  }

  private void onContextCancelled() {
    cancelled.countDown();
    // As a real transport does: the aborted I/O surfaces as a connection error.
    WorkerException aborted =
        new WorkerException(workerId, WorkerException.Kind.CONNECTION, 0, "call canceled", null, null);
    result.completeExceptionally(aborted);
    chunks.add(aborted);
  }

  <C> ChunkSource<C> source(Class<C> type) {
    return new ChunkSource<>() {
      @Override
      public @Nullable C next() {
        if (sourceClosed.get()) {
          throw new WorkerException(
              workerId, WorkerException.Kind.CONNECTION, 0, "stream closed", null, null);
        }
        Object item;
        try {
          item = chunks.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RouterException("interrupted while reading the stream", e);
        }
        if (item == END) {
          return null;
        }
        if (item == CLOSED) {
          throw new WorkerException(
              workerId, WorkerException.Kind.CONNECTION, 0, "stream closed", null, null);
        }
        if (item instanceof RouterException e) {
          throw e;
        }
        return type.cast(item);
      }

      @Override
      public void close() {
        if (sourceClosed.compareAndSet(false, true)) {
          chunks.add(CLOSED);
        }
      }
    };
  }

  private TokenUsage usage(int completion) {
    String text = request.promptText();
    TokenIds ids = request.promptTokenIds();
    int prompt = ids != null ? ids.size() : text == null ? 1 : Math.max(1, text.length() / 4);
    return new TokenUsage(prompt, completion, 0);
  }

  Object successResult() {
    String text = "ok from " + workerId;
    TokenUsage usage = usage(3);
    FinishReason stop = FinishReason.of("stop");
    Operation op = request.operation();
    return switch (op) {
      case GENERATE ->
          new GenerateResult(
              requestId(), workerId, text, TokenIds.of(1, 2, 3),
              TokenLogprobs.of(-0.1, -0.2, -0.3), stop, usage, "v0");
      case CHAT ->
          new ChatCompletion(
              "chatcmpl-" + requestId(), requestId(), workerId, request.model(),
              List.of(new ChatCompletion.Choice(0, ChatMessage.assistant(text), null, stop)),
              usage, "v0");
      case COMPLETION ->
          new TextCompletion(
              "cmpl-" + requestId(), requestId(), workerId, request.model(),
              List.of(new TextCompletion.Choice(0, text, stop)), usage, "v0");
    };
  }

  private Object chunk(String text, int completionTokens, boolean last) {
    FinishReason finish = last ? FinishReason.of("stop") : null;
    TokenUsage usage = last ? usage(completionTokens) : null;
    return switch (request.operation()) {
      case GENERATE ->
          new GenerateChunk(
              requestId(), workerId, text,
              text.isEmpty() ? TokenIds.empty() : TokenIds.of(completionTokens),
              TokenLogprobs.empty(), completionTokens, finish, usage, "v0");
      case CHAT ->
          new ChatChunk(
              "chatcmpl-" + requestId(), requestId(), workerId, request.model(),
              List.of(new ChatChunk.Delta(0, null, text, null, List.of(), finish)), usage);
      case COMPLETION ->
          new CompletionChunk(
              "cmpl-" + requestId(), requestId(), workerId, request.model(),
              List.of(new TextCompletion.Choice(0, text, finish)), usage);
    };
  }
}

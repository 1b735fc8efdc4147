package io.flexroute.core.internal;

import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatRequest;
import io.flexroute.CompletionChunk;
import io.flexroute.CompletionRequest;
import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.InferenceRequest;
import io.flexroute.TextCompletion;
import io.flexroute.TokenUsage;
import io.flexroute.Worker;
import io.flexroute.spi.CallContext;
import io.flexroute.spi.ChunkSource;
import io.flexroute.spi.Transport;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Binds one operation to its transport methods and usage accessors, so the router runs every
 * operation through one generic, type-safe code path.
 *
 * @param <Q> the request type
 * @param <R> the result type
 * @param <C> the stream chunk type
 */
final class OperationBinding<Q extends InferenceRequest, R, C> {

  /** Calls a transport's blocking-style method. */
  @FunctionalInterface
  interface Call<Q, R> {
    CompletableFuture<R> call(Transport transport, Worker worker, Q request, CallContext context);
  }

  /** Calls a transport's method that runs on the calling thread. */
  @FunctionalInterface
  interface Blocking<Q, R> {
    R call(Transport transport, Worker worker, Q request, CallContext context);
  }

  /** Calls a transport's stream method. */
  @FunctionalInterface
  interface Stream<Q, C> {
    ChunkSource<C> open(Transport transport, Worker worker, Q request, CallContext context);
  }

  static final OperationBinding<GenerateRequest, GenerateResult, GenerateChunk> GENERATE =
      new OperationBinding<>(
          Transport::generate, Transport::generateBlocking, Transport::generateStream,
          GenerateResult::usage, GenerateChunk::usage, GenerateChunk::isLast,
          GenerateResult::weightVersion, GenerateChunk::weightVersion);

  static final OperationBinding<ChatRequest, ChatCompletion, ChatChunk> CHAT =
      new OperationBinding<>(
          Transport::chat, Transport::chatBlocking, Transport::chatStream, ChatCompletion::usage,
          ChatChunk::usage,
          chunk ->
              chunk.usage() != null
                  && chunk.deltas().stream().allMatch(d -> d.finishReason() != null),
          ChatCompletion::weightVersion, chunk -> null);

  static final OperationBinding<CompletionRequest, TextCompletion, CompletionChunk> COMPLETION =
      new OperationBinding<>(
          Transport::complete, Transport::completeBlocking, Transport::completeStream,
          TextCompletion::usage, CompletionChunk::usage,
          chunk ->
              chunk.usage() != null
                  && chunk.choices().stream().allMatch(c -> c.finishReason() != null),
          TextCompletion::weightVersion, chunk -> null);

  private final Call<Q, R> call;
  private final Blocking<Q, R> blocking;
  private final Stream<Q, C> stream;
  private final Function<R, @Nullable TokenUsage> resultUsage;
  private final Function<C, @Nullable TokenUsage> chunkUsage;
  private final Predicate<C> endsAnswer;
  private final Function<R, @Nullable String> resultVersion;
  private final Function<C, @Nullable String> chunkVersion;

  private OperationBinding(
      Call<Q, R> call,
      Blocking<Q, R> blocking,
      Stream<Q, C> stream,
      Function<R, @Nullable TokenUsage> resultUsage,
      Function<C, @Nullable TokenUsage> chunkUsage,
      Predicate<C> endsAnswer,
      Function<R, @Nullable String> resultVersion,
      Function<C, @Nullable String> chunkVersion) {
    this.call = call;
    this.blocking = blocking;
    this.stream = stream;
    this.resultUsage = resultUsage;
    this.chunkUsage = chunkUsage;
    this.endsAnswer = endsAnswer;
    this.resultVersion = resultVersion;
    this.chunkVersion = chunkVersion;
  }

  CompletableFuture<R> call(Transport transport, Worker worker, Q request, CallContext context) {
    return call.call(transport, worker, request, context);
  }

  R callBlocking(Transport transport, Worker worker, Q request, CallContext context) {
    return blocking.call(transport, worker, request, context);
  }

  ChunkSource<C> open(Transport transport, Worker worker, Q request, CallContext context) {
    return stream.open(transport, worker, request, context);
  }

  @Nullable TokenUsage usage(R result) {
    return resultUsage.apply(result);
  }

  @Nullable TokenUsage chunkUsage(C chunk) {
    return chunkUsage.apply(chunk);
  }

  /**
   * Whether a chunk is the answer's last: generate's chunk with the finish reason; for chat and
   * completions, a chunk with the usage whose choices (none, in the usage chunk) all finish, as
   * servers that put the usage on the last choice chunk send it. A chunk that merely carries
   * usage is not: servers asked for continuous usage stats put it on every chunk.
   */
  boolean endsAnswer(C chunk) {
    return endsAnswer.test(chunk);
  }

  /** The weight version the worker reported in a result (SGLang), or null. */
  @Nullable String weightVersion(R result) {
    return resultVersion.apply(result);
  }

  /** The weight version the worker reported in a stream chunk, or null. */
  @Nullable String chunkWeightVersion(C chunk) {
    return chunkVersion.apply(chunk);
  }
}

package io.flexroute.testkit.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How one simulated inference engine performs: its capacity (KV cache, batch limits) and the cost
 * model of one scheduler iteration. Build it with {@link #builder()}; {@link #defaults()} is {@link
 * #llama8bOnH100()}.
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its value and throws {@link IllegalArgumentException} naming the setting.
 *
 * <h2>The engine</h2>
 *
 * A simulated engine schedules like vLLM V1 or SGLang with chunked prefill: each iteration runs one
 * decode step of every request that finished its prefill, plus prefill chunks (oldest request
 * first) up to {@link #maxBatchedTokens()} tokens in all. Waiting requests are admitted first come,
 * first served while fewer than {@link #maxRunningRequests()} run and the KV cache has room for
 * their uncached prompt; when a running request needs a KV block and none is left, the newest
 * running request is preempted (its blocks are freed and it is recomputed later, as vLLM does). The
 * KV cache holds {@link #kvCapacityTokens()} tokens in blocks of {@link #blockTokens()}; full
 * blocks of prompts and outputs stay cached after a request ends and are evicted least recently
 * used first, deepest blocks of a prefix first.
 *
 * <h2>Cost of an iteration</h2>
 *
 * A roofline: an iteration takes
 *
 * <pre>{@code
 * overhead + perSequenceOverhead * sequences
 *   + max((tokens * flopsPerToken + attentionPairs * attentionFlopsPerPair) / effectiveFlops,
 *         (weightBytes + kvTokensRead * kvBytesPerToken) / effectiveBandwidth)
 * }</pre>
 *
 * where {@code tokens} counts every token computed (prefill chunks and one per decoding request),
 * {@code attentionPairs} the (query token, context token) pairs attention computes, and {@code
 * kvTokensRead} the context tokens whose KV entries are read. So prefill time grows with the
 * uncached prompt tokens (compute-bound), and inter-token latency grows with the batch size and its
 * context lengths (memory-bound), as on a real GPU.
 *
 * <h2>Defaults: Llama 3.1 8B (bf16) on one H100 SXM 80 GB</h2>
 *
 * <ul>
 *   <li>8.03 B parameters: 16.06 GB of weights, 16.06 GFLOP per token for the linear layers.
 *   <li>32 layers, 32 query heads and 8 KV heads of 128 dimensions: 524,288 attention FLOPs per
 *       (query, context) token pair, 131,072 bytes of KV cache per token.
 *   <li>989 TFLOPS dense bf16 at 50% utilisation (495 TFLOPS, about 30,000 prefill tokens per
 *       second); 3.35 TB/s of HBM at 80% (2.68 TB/s, a batch-of-one decode step of about 7 ms).
 *   <li>400,000 tokens of KV cache: about what SGLang allocates with a static memory fraction of
 *       0.9 (72 GB, less 16 GB of weights and a few GB of activations and CUDA graphs).
 *   <li>Blocks of 16 tokens, 256 running requests at most, chunked prefill of 8,192 tokens per
 *       iteration (vLLM's and SGLang's usual settings on this GPU), 1% of the blocks kept free when
 *       admitting, 1 ms of scheduling overhead per iteration and 5 us per sequence.
 * </ul>
 *
 * These give about 140 ms to prefill a 4,000-token prompt alone, a 7 ms decode step for one
 * sequence and about 16 ms for 32 sequences of 6,000 tokens of context.
 */
public final class EngineProfile {

  /** Default KV-cache capacity: 400,000 tokens. */
  public static final int DEFAULT_KV_CAPACITY_TOKENS = 400_000;

  /** Default KV block size: 16 tokens. */
  public static final int DEFAULT_BLOCK_TOKENS = 16;

  /** Default limit of running requests: 256. */
  public static final int DEFAULT_MAX_RUNNING_REQUESTS = 256;

  /** Default token budget of one iteration (chunked prefill size): 8,192. */
  public static final int DEFAULT_MAX_BATCHED_TOKENS = 8192;

  /** Default share of the KV blocks kept free when admitting a request: 0.01. */
  public static final double DEFAULT_ADMISSION_WATERMARK = 0.01;

  /** Default bytes of model weights read by every iteration: 16.06 GB. */
  public static final long DEFAULT_WEIGHT_BYTES = 16_060_000_000L;

  /** Default FLOPs of the linear layers per computed token: 16.06 G. */
  public static final double DEFAULT_FLOPS_PER_TOKEN = 16.06e9;

  /** Default attention FLOPs per (query token, context token) pair: 524,288. */
  public static final double DEFAULT_ATTENTION_FLOPS_PER_PAIR = 524_288;

  /** Default bytes of KV cache per token: 131,072. */
  public static final long DEFAULT_KV_BYTES_PER_TOKEN = 131_072;

  /** Default sustained compute: 495 TFLOPS. */
  public static final double DEFAULT_EFFECTIVE_FLOPS = 495e12;

  /** Default sustained memory bandwidth: 2.68 TB/s. */
  public static final double DEFAULT_EFFECTIVE_BANDWIDTH = 2.68e12;

  /** Default fixed overhead of one iteration: 1 ms. */
  public static final Duration DEFAULT_ITERATION_OVERHEAD = Duration.ofMillis(1);

  /** Default overhead per sequence in an iteration: 5 microseconds. */
  public static final Duration DEFAULT_PER_SEQUENCE_OVERHEAD = Duration.ofNanos(5_000);

  private static final EngineProfile DEFAULTS = builder().build();

  private final int kvCapacityTokens;
  private final int blockTokens;
  private final int maxRunningRequests;
  private final int maxBatchedTokens;
  private final double admissionWatermark;
  private final long weightBytes;
  private final double flopsPerToken;
  private final double attentionFlopsPerPair;
  private final long kvBytesPerToken;
  private final double effectiveFlops;
  private final double effectiveBandwidth;
  private final Duration iterationOverhead;
  private final Duration perSequenceOverhead;
  private final long iterationOverheadNanos;
  private final long perSequenceOverheadNanos;

  private EngineProfile(Builder b) {
    this.kvCapacityTokens = b.kvCapacityTokens;
    this.blockTokens = b.blockTokens;
    this.maxRunningRequests = b.maxRunningRequests;
    this.maxBatchedTokens = b.maxBatchedTokens;
    this.admissionWatermark = b.admissionWatermark;
    this.weightBytes = b.weightBytes;
    this.flopsPerToken = b.flopsPerToken;
    this.attentionFlopsPerPair = b.attentionFlopsPerPair;
    this.kvBytesPerToken = b.kvBytesPerToken;
    this.effectiveFlops = b.effectiveFlops;
    this.effectiveBandwidth = b.effectiveBandwidth;
    this.iterationOverhead = b.iterationOverhead;
    this.perSequenceOverhead = b.perSequenceOverhead;
    this.iterationOverheadNanos = b.iterationOverhead.toNanos();
    this.perSequenceOverheadNanos = b.perSequenceOverhead.toNanos();
  }

  /**
   * The default profile, {@link #llama8bOnH100()}.
   *
   * @return the defaults
   */
  public static EngineProfile defaults() {
    return DEFAULTS;
  }

  /**
   * Llama 3.1 8B in bf16 on one H100 SXM 80 GB; the parameters are listed in the class
   * documentation.
   *
   * @return the profile
   */
  public static EngineProfile llama8bOnH100() {
    return DEFAULTS;
  }

  /**
   * Starts a builder with the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder with these settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.kvCapacityTokens = kvCapacityTokens;
    b.blockTokens = blockTokens;
    b.maxRunningRequests = maxRunningRequests;
    b.maxBatchedTokens = maxBatchedTokens;
    b.admissionWatermark = admissionWatermark;
    b.weightBytes = weightBytes;
    b.flopsPerToken = flopsPerToken;
    b.attentionFlopsPerPair = attentionFlopsPerPair;
    b.kvBytesPerToken = kvBytesPerToken;
    b.effectiveFlops = effectiveFlops;
    b.effectiveBandwidth = effectiveBandwidth;
    b.iterationOverhead = iterationOverhead;
    b.perSequenceOverhead = perSequenceOverhead;
    return b;
  }

  /** @return the KV-cache capacity in tokens */
  public int kvCapacityTokens() {
    return kvCapacityTokens;
  }

  /** @return the tokens per KV block, the granularity of prefix caching */
  public int blockTokens() {
    return blockTokens;
  }

  /** @return the number of KV blocks: the capacity divided by the block size */
  public int kvBlocks() {
    return kvCapacityTokens / blockTokens;
  }

  /** @return the limit of requests running at once */
  public int maxRunningRequests() {
    return maxRunningRequests;
  }

  /** @return the most tokens one iteration computes (decode tokens plus prefill chunks) */
  public int maxBatchedTokens() {
    return maxBatchedTokens;
  }

  /** @return the share of KV blocks that must stay free after admitting a request */
  public double admissionWatermark() {
    return admissionWatermark;
  }

  /** @return the bytes of weights every iteration reads */
  public long weightBytes() {
    return weightBytes;
  }

  /** @return the FLOPs of the linear layers per computed token */
  public double flopsPerToken() {
    return flopsPerToken;
  }

  /** @return the attention FLOPs per (query token, context token) pair */
  public double attentionFlopsPerPair() {
    return attentionFlopsPerPair;
  }

  /** @return the bytes of KV cache per token */
  public long kvBytesPerToken() {
    return kvBytesPerToken;
  }

  /** @return the sustained compute in FLOP/s */
  public double effectiveFlops() {
    return effectiveFlops;
  }

  /** @return the sustained memory bandwidth in bytes/s */
  public double effectiveBandwidth() {
    return effectiveBandwidth;
  }

  /** @return the fixed overhead of one iteration */
  public Duration iterationOverhead() {
    return iterationOverhead;
  }

  /** @return the overhead per sequence in an iteration */
  public Duration perSequenceOverhead() {
    return perSequenceOverhead;
  }

  /**
   * The duration of one iteration under the cost model in the class documentation.
   *
   * @param tokens the tokens computed: prefill chunk tokens plus one per decoding sequence
   * @param attentionPairs the (query token, context token) pairs attention computes
   * @param kvTokensRead the context tokens whose KV entries the iteration reads
   * @param sequences the sequences in the iteration
   * @return the duration in nanoseconds, at least 1
   */
  public long iterationNanos(long tokens, double attentionPairs, long kvTokensRead, int sequences) {
    double compute =
        (tokens * flopsPerToken + attentionPairs * attentionFlopsPerPair) / effectiveFlops;
    double memory = (weightBytes + (double) kvTokensRead * kvBytesPerToken) / effectiveBandwidth;
    long work = (long) Math.ceil(Math.max(compute, memory) * 1e9);
    return Math.max(1, iterationOverheadNanos + perSequenceOverheadNanos * sequences + work);
  }

  /**
   * The duration of an iteration that only prefills one prompt, ignoring the per-iteration token
   * budget: the time to first token of a lone request.
   *
   * @param cachedTokens the prompt tokens already cached, at least 0
   * @param newTokens the prompt tokens to compute, at least 1
   * @return the duration in nanoseconds
   */
  public long prefillNanos(int cachedTokens, int newTokens) {
    double pairs = (double) newTokens * cachedTokens + (double) newTokens * (newTokens + 1) / 2;
    return iterationNanos(newTokens, pairs, (long) cachedTokens + newTokens, 1);
  }

  /**
   * The duration of an iteration that only decodes: the inter-token latency of a batch.
   *
   * @param batchSize the decoding sequences, at least 1
   * @param contextTokens the context length of each sequence
   * @return the duration in nanoseconds
   */
  public long decodeStepNanos(int batchSize, int contextTokens) {
    long context = (long) batchSize * contextTokens;
    return iterationNanos(batchSize, (double) context, context, batchSize);
  }

  @Override
  public String toString() {
    return "EngineProfile{kvCapacityTokens="
        + kvCapacityTokens
        + ", blockTokens="
        + blockTokens
        + ", maxRunningRequests="
        + maxRunningRequests
        + ", maxBatchedTokens="
        + maxBatchedTokens
        + ", admissionWatermark="
        + admissionWatermark
        + ", weightBytes="
        + weightBytes
        + ", flopsPerToken="
        + flopsPerToken
        + ", attentionFlopsPerPair="
        + attentionFlopsPerPair
        + ", kvBytesPerToken="
        + kvBytesPerToken
        + ", effectiveFlops="
        + effectiveFlops
        + ", effectiveBandwidth="
        + effectiveBandwidth
        + ", iterationOverhead="
        + iterationOverhead
        + ", perSequenceOverhead="
        + perSequenceOverhead
        + "}";
  }

  /** Builds an {@link EngineProfile}. Not thread-safe. */
  public static final class Builder {
    private int kvCapacityTokens = DEFAULT_KV_CAPACITY_TOKENS;
    private int blockTokens = DEFAULT_BLOCK_TOKENS;
    private int maxRunningRequests = DEFAULT_MAX_RUNNING_REQUESTS;
    private int maxBatchedTokens = DEFAULT_MAX_BATCHED_TOKENS;
    private double admissionWatermark = DEFAULT_ADMISSION_WATERMARK;
    private long weightBytes = DEFAULT_WEIGHT_BYTES;
    private double flopsPerToken = DEFAULT_FLOPS_PER_TOKEN;
    private double attentionFlopsPerPair = DEFAULT_ATTENTION_FLOPS_PER_PAIR;
    private long kvBytesPerToken = DEFAULT_KV_BYTES_PER_TOKEN;
    private double effectiveFlops = DEFAULT_EFFECTIVE_FLOPS;
    private double effectiveBandwidth = DEFAULT_EFFECTIVE_BANDWIDTH;
    private Duration iterationOverhead = DEFAULT_ITERATION_OVERHEAD;
    private Duration perSequenceOverhead = DEFAULT_PER_SEQUENCE_OVERHEAD;

    private Builder() {}

    /**
     * Sets the KV-cache capacity. Default {@value #DEFAULT_KV_CAPACITY_TOKENS}.
     *
     * @param tokens at least one block
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder kvCapacityTokens(int tokens) {
      if (tokens < 1) {
        throw new IllegalArgumentException("kvCapacityTokens must be >= 1, but was " + tokens);
      }
      this.kvCapacityTokens = tokens;
      return this;
    }

    /**
     * Sets the tokens per KV block. Default {@value #DEFAULT_BLOCK_TOKENS}.
     *
     * @param tokens at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder blockTokens(int tokens) {
      if (tokens < 1) {
        throw new IllegalArgumentException("blockTokens must be >= 1, but was " + tokens);
      }
      this.blockTokens = tokens;
      return this;
    }

    /**
     * Sets the limit of running requests. Default {@value #DEFAULT_MAX_RUNNING_REQUESTS}.
     *
     * @param requests at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxRunningRequests(int requests) {
      if (requests < 1) {
        throw new IllegalArgumentException("maxRunningRequests must be >= 1, but was " + requests);
      }
      this.maxRunningRequests = requests;
      return this;
    }

    /**
     * Sets the token budget of one iteration. Default {@value #DEFAULT_MAX_BATCHED_TOKENS}.
     *
     * @param tokens at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxBatchedTokens(int tokens) {
      if (tokens < 1) {
        throw new IllegalArgumentException("maxBatchedTokens must be >= 1, but was " + tokens);
      }
      this.maxBatchedTokens = tokens;
      return this;
    }

    /**
     * Sets the share of KV blocks that must stay free after admitting a request while others run.
     * Default {@value #DEFAULT_ADMISSION_WATERMARK}.
     *
     * @param share in [0, 0.5]
     * @return this builder
     * @throws IllegalArgumentException if outside [0, 0.5]
     */
    public Builder admissionWatermark(double share) {
      if (!(share >= 0 && share <= 0.5)) {
        throw new IllegalArgumentException(
            "admissionWatermark must be in [0, 0.5], but was " + share);
      }
      this.admissionWatermark = share;
      return this;
    }

    /**
     * Sets the bytes of weights every iteration reads. Default {@value #DEFAULT_WEIGHT_BYTES}.
     *
     * @param bytes at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder weightBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("weightBytes must be >= 0, but was " + bytes);
      }
      this.weightBytes = bytes;
      return this;
    }

    /**
     * Sets the FLOPs of the linear layers per computed token. Default 16.06e9.
     *
     * @param flops at least 0 and finite
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder flopsPerToken(double flops) {
      this.flopsPerToken = nonNegative("flopsPerToken", flops);
      return this;
    }

    /**
     * Sets the attention FLOPs per (query token, context token) pair. Default {@value
     * #DEFAULT_ATTENTION_FLOPS_PER_PAIR}.
     *
     * @param flops at least 0 and finite
     * @return this builder
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder attentionFlopsPerPair(double flops) {
      this.attentionFlopsPerPair = nonNegative("attentionFlopsPerPair", flops);
      return this;
    }

    /**
     * Sets the bytes of KV cache per token. Default {@value #DEFAULT_KV_BYTES_PER_TOKEN}.
     *
     * @param bytes at least 0
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder kvBytesPerToken(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("kvBytesPerToken must be >= 0, but was " + bytes);
      }
      this.kvBytesPerToken = bytes;
      return this;
    }

    /**
     * Sets the sustained compute. Default 495e12 FLOP/s.
     *
     * @param flopsPerSecond positive and finite
     * @return this builder
     * @throws IllegalArgumentException if not positive or not finite
     */
    public Builder effectiveFlops(double flopsPerSecond) {
      this.effectiveFlops = positive("effectiveFlops", flopsPerSecond);
      return this;
    }

    /**
     * Sets the sustained memory bandwidth. Default 2.68e12 bytes/s.
     *
     * @param bytesPerSecond positive and finite
     * @return this builder
     * @throws IllegalArgumentException if not positive or not finite
     */
    public Builder effectiveBandwidth(double bytesPerSecond) {
      this.effectiveBandwidth = positive("effectiveBandwidth", bytesPerSecond);
      return this;
    }

    /**
     * Sets the fixed overhead of one iteration. Default 1 ms.
     *
     * @param overhead not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder iterationOverhead(Duration overhead) {
      this.iterationOverhead = notNegative("iterationOverhead", overhead);
      return this;
    }

    /**
     * Sets the overhead per sequence in an iteration. Default 5 microseconds.
     *
     * @param overhead not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder perSequenceOverhead(Duration overhead) {
      this.perSequenceOverhead = notNegative("perSequenceOverhead", overhead);
      return this;
    }

    /**
     * Builds the profile.
     *
     * @return the immutable profile
     * @throws IllegalArgumentException if the capacity holds no whole block
     */
    public EngineProfile build() {
      if (kvCapacityTokens < blockTokens) {
        throw new IllegalArgumentException(
            "kvCapacityTokens ("
                + kvCapacityTokens
                + ") must hold at least one block of "
                + blockTokens
                + " tokens");
      }
      return new EngineProfile(this);
    }

    private static double nonNegative(String name, double value) {
      if (!(value >= 0) || Double.isInfinite(value)) {
        throw new IllegalArgumentException(name + " must be >= 0 and finite, but was " + value);
      }
      return value;
    }

    private static double positive(String name, double value) {
      if (!(value > 0) || Double.isInfinite(value)) {
        throw new IllegalArgumentException(name + " must be > 0 and finite, but was " + value);
      }
      return value;
    }

    private static Duration notNegative(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, but was " + value);
      }
      return value;
    }
  }
}

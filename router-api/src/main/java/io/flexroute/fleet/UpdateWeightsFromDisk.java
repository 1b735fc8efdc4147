package io.flexroute.fleet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Loads new weights from a path every selected worker can read (SGLang {@code POST
 * /update_weights_from_disk}), and labels them with a new weight version.
 *
 * <pre>{@code
 * UpdateWeightsFromDisk update = UpdateWeightsFromDisk.builder("/ckpt/step-8")
 *     .weightVersion("8")
 *     .build();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class UpdateWeightsFromDisk {

  private final String modelPath;
  private final @Nullable String weightVersion;
  private final @Nullable String loadFormat;
  private final boolean abortAllRequests;
  private final @Nullable Boolean flushCache;
  private final Map<String, Object> options;

  private UpdateWeightsFromDisk(Builder b) {
    this.modelPath = b.modelPath;
    this.weightVersion = b.weightVersion;
    this.loadFormat = b.loadFormat;
    this.abortAllRequests = b.abortAllRequests;
    this.flushCache = b.flushCache;
    this.options = Map.copyOf(b.options);
  }

  /**
   * Starts a builder.
   *
   * @param modelPath the checkpoint's path (or hub id) as the workers see it
   * @return a new builder
   * @throws IllegalArgumentException if the path is blank
   */
  public static Builder builder(String modelPath) {
    return new Builder(modelPath);
  }

  /** @return the checkpoint's path ({@code model_path}) */
  public String modelPath() {
    return modelPath;
  }

  /**
   * The version label the workers take on success ({@code weight_version}); the router then
   * records it, after reading it back from each worker. Null leaves the label to the worker.
   *
   * @return the version, or null
   */
  public @Nullable String weightVersion() {
    return weightVersion;
  }

  /** @return the weights' format ({@code load_format}), or null for the worker's default */
  public @Nullable String loadFormat() {
    return loadFormat;
  }

  /**
   * Whether the workers abort their running requests instead of waiting for them ({@code
   * abort_all_requests}); aborted requests finish with finish reason {@code abort}.
   *
   * @return the flag; default false
   */
  public boolean abortAllRequests() {
    return abortAllRequests;
  }

  /** @return whether the workers flush their prefix cache ({@code flush_cache}), null to omit it */
  public @Nullable Boolean flushCache() {
    return flushCache;
  }

  /** @return further body fields for newer engines (such as {@code is_async}), immutable */
  public Map<String, Object> options() {
    return options;
  }

  @Override
  public String toString() {
    return "UpdateWeightsFromDisk{modelPath=" + modelPath + ", weightVersion=" + weightVersion
        + ", abortAllRequests=" + abortAllRequests + "}";
  }

  /** Builds an {@link UpdateWeightsFromDisk}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private final String modelPath;
    private @Nullable String weightVersion;
    private @Nullable String loadFormat;
    private boolean abortAllRequests;
    private @Nullable Boolean flushCache;
    private final Map<String, Object> options = new LinkedHashMap<>();

    private static final Set<String> MODELLED =
        Set.of("model_path", "weight_version", "load_format", "abort_all_requests", "flush_cache");

    private Builder(String modelPath) {
      this.modelPath = EngineOptions.requireText(modelPath, "modelPath");
    }

    /**
     * Sets the new weight version.
     *
     * @param version a non-blank label, or null
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder weightVersion(@Nullable String version) {
      this.weightVersion =
          version == null ? null : EngineOptions.requireText(version, "weightVersion");
      return this;
    }

    /**
     * Sets the weights' format.
     *
     * @param loadFormat a non-blank format, or null for the worker's default
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder loadFormat(@Nullable String loadFormat) {
      this.loadFormat =
          loadFormat == null ? null : EngineOptions.requireText(loadFormat, "loadFormat");
      return this;
    }

    /**
     * Makes the workers abort their running requests. Default false.
     *
     * @param abort whether to abort
     * @return this builder
     */
    public Builder abortAllRequests(boolean abort) {
      this.abortAllRequests = abort;
      return this;
    }

    /**
     * Sets whether the workers flush their prefix cache. Default: not sent (SGLang flushes).
     *
     * @param flush whether to flush, or null to omit the field
     * @return this builder
     */
    public Builder flushCache(@Nullable Boolean flush) {
      this.flushCache = flush;
      return this;
    }

    /**
     * Adds a body field this type does not model, for newer engines.
     *
     * @param name the field name, not one of the modelled fields
     * @param value a string, finite number or boolean
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or modelled, or the value is not
     *     allowed
     */
    public Builder option(String name, Object value) {
      Object kept = EngineOptions.checked(name, value);
      if (MODELLED.contains(name)) {
        throw new IllegalArgumentException("option " + name + " has its own setter");
      }
      options.put(name, kept);
      return this;
    }

    /**
     * Builds the update.
     *
     * @return the immutable update
     */
    public UpdateWeightsFromDisk build() {
      return new UpdateWeightsFromDisk(this);
    }
  }
}

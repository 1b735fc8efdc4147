package io.flexroute.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Receives new weights over a weight-update group the trainer broadcasts to (SGLang {@code POST
 * /update_weights_from_distributed}); the workers must have joined the group first ({@link
 * InitWeightsUpdateGroup}). The trainer sends the tensors named here over NCCL while the call runs.
 *
 * <pre>{@code
 * UpdateWeightsFromDistributed update = UpdateWeightsFromDistributed.builder()
 *     .tensor("model.embed_tokens.weight", "bfloat16", 151936, 4096)
 *     .tensor("lm_head.weight", "bfloat16", 151936, 4096)
 *     .weightVersion("9")
 *     .build();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class UpdateWeightsFromDistributed {

  /** The group name SGLang uses when none is given: {@value}. */
  public static final String DEFAULT_GROUP_NAME = "weight_update_group";

  /**
   * One tensor of the update. Immutable and thread-safe.
   *
   * @param name the parameter name
   * @param dtype its type, such as {@code "bfloat16"}
   * @param shape its dimensions
   */
  public record Tensor(String name, String dtype, List<Integer> shape) {

    /**
     * Validates and copies the fields.
     *
     * @param name the parameter name
     * @param dtype its type, such as {@code "bfloat16"}
     * @param shape its dimensions
     * @throws IllegalArgumentException if a name is blank or a dimension negative
     */
    public Tensor {
      EngineOptions.requireText(name, "tensor name");
      EngineOptions.requireText(dtype, "dtype of tensor " + name);
      Objects.requireNonNull(shape, "shape of tensor " + name);
      for (Integer d : shape) {
        if (d == null) {
          throw new IllegalArgumentException("shape of tensor " + name + " has a null dimension");
        }
      }
      shape = List.copyOf(shape);
      for (int d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException(
              "shape of tensor " + name + " has a negative dimension: " + shape);
        }
      }
    }
  }

  private final List<Tensor> tensors;
  private final String groupName;
  private final @Nullable String weightVersion;
  private final @Nullable String loadFormat;
  private final boolean abortAllRequests;
  private final @Nullable Boolean flushCache;
  private final Map<String, Object> options;

  private UpdateWeightsFromDistributed(Builder b) {
    this.tensors = List.copyOf(b.tensors);
    this.groupName = b.groupName;
    this.weightVersion = b.weightVersion;
    this.loadFormat = b.loadFormat;
    this.abortAllRequests = b.abortAllRequests;
    this.flushCache = b.flushCache;
    this.options = Map.copyOf(b.options);
  }

  /**
   * Starts a builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the tensors sent over the group ({@code names}, {@code dtypes}, {@code shapes}) */
  public List<Tensor> tensors() {
    return tensors;
  }

  /** @return the group's name ({@code group_name}) */
  public String groupName() {
    return groupName;
  }

  /** @return the version label the workers take on success, or null */
  public @Nullable String weightVersion() {
    return weightVersion;
  }

  /** @return the weights' format, or null */
  public @Nullable String loadFormat() {
    return loadFormat;
  }

  /** @return whether the workers abort their running requests; default false */
  public boolean abortAllRequests() {
    return abortAllRequests;
  }

  /** @return whether the workers flush their prefix cache, null to omit the field */
  public @Nullable Boolean flushCache() {
    return flushCache;
  }

  /** @return further body fields for newer engines, immutable */
  public Map<String, Object> options() {
    return options;
  }

  @Override
  public String toString() {
    return "UpdateWeightsFromDistributed{tensors=" + tensors.size() + ", groupName=" + groupName
        + ", weightVersion=" + weightVersion + "}";
  }

  /** Builds an {@link UpdateWeightsFromDistributed}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private static final Set<String> MODELLED =
        Set.of("names", "dtypes", "shapes", "group_name", "weight_version", "load_format",
            "abort_all_requests", "flush_cache");

    private final List<Tensor> tensors = new ArrayList<>();
    private String groupName = DEFAULT_GROUP_NAME;
    private @Nullable String weightVersion;
    private @Nullable String loadFormat;
    private boolean abortAllRequests;
    private @Nullable Boolean flushCache;
    private final Map<String, Object> options = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds a tensor.
     *
     * @param name the parameter name
     * @param dtype its type, such as {@code "bfloat16"}
     * @param shape its dimensions
     * @return this builder
     * @throws IllegalArgumentException if a name is blank, a dimension negative, or the name
     *     already added
     */
    public Builder tensor(String name, String dtype, int... shape) {
      Objects.requireNonNull(shape, "shape");
      List<Integer> dims = new ArrayList<>(shape.length);
      for (int d : shape) {
        dims.add(d);
      }
      Tensor t = new Tensor(name, dtype, dims);
      for (Tensor existing : tensors) {
        if (existing.name().equals(name)) {
          throw new IllegalArgumentException("tensor " + name + " was already added");
        }
      }
      tensors.add(t);
      return this;
    }

    /**
     * Sets the group's name. Default {@value #DEFAULT_GROUP_NAME}.
     *
     * @param groupName a non-blank name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder groupName(String groupName) {
      this.groupName = EngineOptions.requireText(groupName, "groupName");
      return this;
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
     * @param loadFormat a non-blank format, or null
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
     * Adds a body field this type does not model.
     *
     * @param name the field name, not one of the modelled fields
     * @param value a string, finite number or boolean
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or modelled, or the value not allowed
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
     * @throws IllegalArgumentException if no tensor was added
     */
    public UpdateWeightsFromDistributed build() {
      if (tensors.isEmpty()) {
        throw new IllegalArgumentException("tensors: at least one tensor is required");
      }
      return new UpdateWeightsFromDistributed(this);
    }
  }
}

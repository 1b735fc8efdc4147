package io.flexroute;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What every routed request has in common: its id, the model and role it needs, routing hints, a
 * deadline, extra headers and extra body fields.
 *
 * <p>Instances are immutable and thread-safe. Builders validate each setting as it is made and throw
 * {@link IllegalArgumentException} naming the field.
 */
public abstract sealed class InferenceRequest permits GenerateRequest, OpenAiRequest {

  /** The longest request id accepted, in characters. */
  public static final int MAX_REQUEST_ID_LENGTH = 128;

  private final @Nullable String requestId;
  private final @Nullable String model;
  private final WorkerRole role;
  private final @Nullable String routingKey;
  private final Map<String, String> hints;
  private final @Nullable Duration timeout;
  private final Map<String, String> headers;
  private final Map<String, Object> extraBody;
  private final @Nullable String minWeightVersion;

  InferenceRequest(Builder<?, ?> b) {
    this.requestId = b.requestId;
    this.model = b.model;
    this.role = b.role;
    this.routingKey = b.routingKey;
    this.hints = Map.copyOf(b.hints);
    this.timeout = b.timeout;
    this.headers = Map.copyOf(b.headers);
    this.extraBody = JsonValues.copyOf(b.extraBody, "extraBody");
    this.minWeightVersion = b.minWeightVersion;
  }

  /**
   * The kind of call this request makes.
   *
   * @return the operation
   */
  public abstract Operation operation();

  /**
   * The prompt as text, for routing decisions; for chat requests the messages' contents in order.
   *
   * @return the prompt text, or null when the prompt is given only as token ids
   */
  public abstract @Nullable String promptText();

  /**
   * The length of {@link #promptText()} in characters, 0 when it is null. Requests that assemble
   * their prompt text (chat) compute it without assembling it, so that estimating a prompt's size
   * costs nothing per request.
   *
   * @return the length
   */
  public int promptTextLength() {
    String text = promptText();
    return text == null ? 0 : text.length();
  }

  /**
   * The prompt as token ids, when the caller gave them.
   *
   * @return the token ids, or null
   */
  public abstract @Nullable TokenIds promptTokenIds();

  /**
   * The caller's request id; the router generates one when this is null and sends it to the worker.
   *
   * @return the id, or null
   */
  public @Nullable String requestId() {
    return requestId;
  }

  /**
   * The model the request needs; only workers serving it are eligible. Null means any worker.
   *
   * @return the model name, or null
   */
  public @Nullable String model() {
    return model;
  }

  /**
   * The worker role the request needs. Default {@link WorkerRole#REGULAR}.
   *
   * @return the role
   */
  public WorkerRole role() {
    return role;
  }

  /**
   * A key that strategies may use to keep related requests together, such as a session or
   * conversation id.
   *
   * @return the key, or null
   */
  public @Nullable String routingKey() {
    return routingKey;
  }

  /**
   * Free-form hints for custom strategies. Never sent to the worker.
   *
   * @return an immutable map
   */
  public Map<String, String> hints() {
    return hints;
  }

  /**
   * The time the whole request may take, from the moment it is submitted; null means the router's
   * default.
   *
   * @return the timeout, or null
   */
  public @Nullable Duration timeout() {
    return timeout;
  }

  /**
   * Extra HTTP headers (or gRPC metadata) for this request only.
   *
   * @return an immutable map
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * Extra top-level fields added to the JSON body sent to the worker, for engine options this API
   * does not model. Values are JSON values: strings, numbers, booleans, null, lists and maps.
   *
   * @return an immutable map
   */
  public Map<String, Object> extraBody() {
    return extraBody;
  }

  /**
   * The oldest weight version the serving worker may have. Only workers whose known weight version
   * ({@link io.flexroute.spi.WorkerView#weightVersion()}) is this version or newer, in the router's
   * {@linkplain RouterBuilder#weightVersionOrder weight-version order}, are eligible; a worker
   * whose version the router does not know yet is not. When no worker qualifies the request waits
   * in the admission queue, if the router has one, until a worker reports a new enough version,
   * and otherwise fails with {@link NoEligibleWorkerException} ({@link
   * NoEligibleWorkerException.Reason#WEIGHT_VERSION}). An answer that reports an older version
   * than this (the worker went back to older weights since the router learnt its version) is not
   * delivered: the attempt fails with {@link WorkerException} of kind {@link
   * WorkerException.Kind#WEIGHT_VERSION}, which is retried on a worker that qualifies, and is what
   * the request fails with when no retry is left. Never sent to the worker.
   *
   * @return the version, or null for any
   */
  public @Nullable String minWeightVersion() {
    return minWeightVersion;
  }

  /** Copies the common settings into a builder, for {@code toBuilder()} implementations. */
  void copyCommonTo(Builder<?, ?> b) {
    b.requestId = requestId;
    b.model = model;
    b.role = role;
    b.routingKey = routingKey;
    b.hints.putAll(hints);
    b.timeout = timeout;
    b.headers.putAll(headers);
    b.extraBody.putAll(extraBody);
    b.minWeightVersion = minWeightVersion;
  }

  /** The common part of {@code toString()}: never prompt text, only its size. */
  String commonToString() {
    return "requestId=" + requestId + ", model=" + model + ", role=" + role
        + (routingKey != null ? ", routingKey=" + routingKey : "")
        + (timeout != null ? ", timeout=" + timeout : "")
        + (minWeightVersion != null ? ", minWeightVersion=" + minWeightVersion : "");
  }

  /**
   * The builder settings every request has. Not thread-safe.
   *
   * @param <B> the concrete builder type
   * @param <R> the request type it builds
   */
  public abstract static sealed class Builder<B extends Builder<B, R>, R extends InferenceRequest>
      permits GenerateRequest.Builder, OpenAiRequest.Builder {

    /** Body fields the router sets and relies on, which {@link #extraBody} must not replace. */
    private static final Set<String> ROUTER_FIELDS =
        Set.of("rid", "model", "text", "input_ids", "prompt", "messages");

    private @Nullable String requestId;
    private @Nullable String model;
    private WorkerRole role = WorkerRole.REGULAR;
    private @Nullable String routingKey;
    private final Map<String, String> hints = new LinkedHashMap<>();
    private @Nullable Duration timeout;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, Object> extraBody = new LinkedHashMap<>();
    private @Nullable String minWeightVersion;

    Builder() {}

    abstract B self();

    /**
     * Sets the request id sent to the worker. Prefer fixed-length unique ids (the generated ones are
     * 32 hex characters): SGLang aborts requests by id prefix, so cancelling {@code req-1} would
     * also abort {@code req-12} running on the same worker.
     *
     * @param requestId the id, or null to have the router generate one
     * @return this builder
     * @throws IllegalArgumentException if the id is blank, longer than {@value
     *     #MAX_REQUEST_ID_LENGTH} characters, or holds anything but visible ASCII characters (no
     *     whitespace, control or non-ASCII characters)
     */
    public B requestId(@Nullable String requestId) {
      if (requestId != null) {
        if (requestId.isEmpty() || requestId.length() > MAX_REQUEST_ID_LENGTH) {
          throw new IllegalArgumentException(
              "requestId must have 1 to " + MAX_REQUEST_ID_LENGTH + " characters, but had "
                  + requestId.length());
        }
        // Visible ASCII only: the id travels in an HTTP header and in gRPC metadata, which carry
        // ASCII (gRPC would turn other characters into '?', so the header and the body's id
        // would differ).
        if (requestId.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
          throw new IllegalArgumentException(
              "requestId must hold visible ASCII characters only (no whitespace, control or"
                  + " non-ASCII characters)");
        }
      }
      this.requestId = requestId;
      return self();
    }

    /**
     * Sets the model the request needs.
     *
     * @param model the model name, or null for any worker
     * @return this builder
     * @throws IllegalArgumentException if the name is blank
     */
    public B model(@Nullable String model) {
      if (model != null && model.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      this.model = model;
      return self();
    }

    /**
     * Sets the worker role the request needs. Default {@link WorkerRole#REGULAR}.
     *
     * @param role the role
     * @return this builder
     */
    public B role(WorkerRole role) {
      this.role = Objects.requireNonNull(role, "role");
      return self();
    }

    /**
     * Sets the routing key (session, conversation or user id) used by affinity strategies.
     *
     * @param routingKey the key, or null
     * @return this builder
     */
    public B routingKey(@Nullable String routingKey) {
      this.routingKey = routingKey;
      return self();
    }

    /**
     * Adds a hint for custom strategies.
     *
     * @param name the hint name
     * @param value the hint value
     * @return this builder
     */
    public B hint(String name, String value) {
      hints.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return self();
    }

    /**
     * Sets the time the whole request may take.
     *
     * @param timeout a positive duration, or null for the router's default
     * @return this builder
     * @throws IllegalArgumentException if the timeout is zero or negative
     */
    public B timeout(@Nullable Duration timeout) {
      if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
        throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
      }
      this.timeout = timeout;
      return self();
    }

    /**
     * Adds a header for this request only.
     *
     * @param name the header name
     * @param value the header value
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or the value has line breaks
     */
    public B header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c >= 127 || c == ':')) {
        throw new IllegalArgumentException("header name is invalid: '" + name + "'");
      }
      if (value.chars().anyMatch(c -> c == '\r' || c == '\n')) {
        throw new IllegalArgumentException("header '" + name + "' must not contain line breaks");
      }
      // Header names are case-insensitive: a second spelling replaces the first.
      headers.keySet().removeIf(name::equalsIgnoreCase);
      headers.put(name, value);
      return self();
    }

    /**
     * Adds a top-level field to the JSON body sent to the worker. It replaces a modelled field of
     * the same name (maps are merged one level deep), except the fields the router itself relies
     * on, which are refused: {@code rid} (the id it aborts by), {@code model} (what it routed for)
     * and the prompt fields {@code text}, {@code input_ids}, {@code prompt} and {@code messages}
     * (what cache-aware routing and stream resumption saw). {@code stream} always follows the
     * method called.
     *
     * @param name the field name
     * @param value a JSON value: string, number, boolean, null, list or map of these
     * @return this builder
     * @throws IllegalArgumentException if the value is not a JSON value, or the name is one the
     *     router relies on
     */
    public B extraBody(String name, @Nullable Object value) {
      Objects.requireNonNull(name, "name");
      if (ROUTER_FIELDS.contains(name)) {
        throw new IllegalArgumentException(
            "extraBody cannot set '" + name + "': the router relies on it; use the builder's own"
                + " setter");
      }
      JsonValues.check(value, "extraBody." + name);
      extraBody.put(name, value);
      return self();
    }

    /**
     * Requires a worker whose weights are at least this version; see {@link
     * InferenceRequest#minWeightVersion()}.
     *
     * @param version the oldest acceptable weight version, or null for any
     * @return this builder
     * @throws IllegalArgumentException if the version is blank
     */
    public B minWeightVersion(@Nullable String version) {
      if (version != null && version.isBlank()) {
        throw new IllegalArgumentException("minWeightVersion must not be blank");
      }
      this.minWeightVersion = version;
      return self();
    }

    /**
     * Builds the request, checking the settings that depend on each other.
     *
     * @return the immutable request
     * @throws IllegalArgumentException if the settings are inconsistent, naming the field
     */
    public abstract R build();
  }
}

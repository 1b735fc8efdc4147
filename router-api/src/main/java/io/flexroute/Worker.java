package io.flexroute;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The description of one inference worker: where it is, what it serves and how to talk to it.
 *
 * <p>Instances are immutable and thread-safe; build them with {@link #builder(String, String)}. The
 * API key is a secret: it is never part of {@link #toString()}.
 */
public final class Worker {

  /** The group a worker belongs to when none is set. */
  public static final String DEFAULT_GROUP = "default";

  /** The weight a worker has when none is set. */
  public static final int DEFAULT_WEIGHT = 1;

  private final String id;
  private final URI baseUrl;
  private final ApiFlavor flavor;
  private final int weight;
  private final Set<String> models;
  private final WorkerRole role;
  private final String group;
  private final int priority;
  private final @Nullable String apiKey;
  private final Map<String, String> headers;

  private Worker(Builder b) {
    this.id = b.id;
    this.baseUrl = b.baseUrl;
    this.flavor = b.flavor;
    this.weight = b.weight;
    this.models = Set.copyOf(b.models);
    this.role = b.role;
    this.group = b.group;
    this.priority = b.priority;
    this.apiKey = b.apiKey;
    this.headers = Map.copyOf(b.headers);
  }

  /**
   * Starts a builder for a worker.
   *
   * @param id a unique, non-blank id for the worker (used in metrics tags and logs)
   * @param baseUrl the worker's base URL, such as {@code http://10.0.0.5:30000} or {@code
   *     grpc://10.0.0.5:30001}
   * @return a new builder
   * @throws IllegalArgumentException if the id is blank or the URL is malformed
   */
  public static Builder builder(String id, String baseUrl) {
    return new Builder(id, baseUrl);
  }

  /**
   * A worker with default settings: SGLang flavour, weight 1, any model, regular role.
   *
   * @param id a unique, non-blank id
   * @param baseUrl the worker's base URL
   * @return the worker
   * @throws IllegalArgumentException if the id is blank or the URL is malformed
   */
  public static Worker of(String id, String baseUrl) {
    return builder(id, baseUrl).build();
  }

  /**
   * The worker's unique id.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * The base URL without a trailing slash.
   *
   * @return the URL
   */
  public URI baseUrl() {
    return baseUrl;
  }

  /**
   * The URL scheme in lower case ({@code http}, {@code https}, {@code grpc} or {@code grpcs}); it
   * selects the transport.
   *
   * @return the scheme
   */
  public String scheme() {
    return baseUrl.getScheme();
  }

  /**
   * The API dialect the worker speaks.
   *
   * @return the flavour
   */
  public ApiFlavor flavor() {
    return flavor;
  }

  /**
   * The worker's relative capacity for weighted strategies; 0 means it receives traffic from
   * weighted strategies only when every candidate has weight 0.
   *
   * @return the weight, at least 0
   */
  public int weight() {
    return weight;
  }

  /**
   * The model names the worker serves; empty means it accepts any model.
   *
   * @return an immutable set
   */
  public Set<String> models() {
    return models;
  }

  /**
   * Whether the worker can serve a model.
   *
   * @param model the requested model, or null when the request names none
   * @return {@code true} if the request's model is acceptable
   */
  public boolean serves(@Nullable String model) {
    return model == null || models.isEmpty() || models.contains(model);
  }

  /**
   * The worker's role.
   *
   * @return the role
   */
  public WorkerRole role() {
    return role;
  }

  /**
   * The failover group the worker belongs to.
   *
   * @return the group name
   */
  public String group() {
    return group;
  }

  /**
   * The priority of the worker's group; a lower value is preferred.
   *
   * @return the priority
   */
  public int priority() {
    return priority;
  }

  /**
   * The API key sent as {@code Authorization: Bearer ...}, if any. Never logged.
   *
   * @return the key, or null
   */
  public @Nullable String apiKey() {
    return apiKey;
  }

  /**
   * Extra headers sent with every request to this worker.
   *
   * @return an immutable map
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * A builder initialised with this worker's settings.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(id, baseUrl.toString());
    b.flavor = flavor;
    b.weight = weight;
    b.models.addAll(models);
    b.role = role;
    b.group = group;
    b.priority = priority;
    b.apiKey = apiKey;
    b.headers.putAll(headers);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Worker w)) {
      return false;
    }
    return id.equals(w.id)
        && baseUrl.equals(w.baseUrl)
        && flavor == w.flavor
        && weight == w.weight
        && models.equals(w.models)
        && role == w.role
        && group.equals(w.group)
        && priority == w.priority
        && Objects.equals(apiKey, w.apiKey)
        && headers.equals(w.headers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, baseUrl, flavor, weight, models, role, group, priority);
  }

  /** Describes the worker; the API key and header values are not included. */
  @Override
  public String toString() {
    return "Worker{id=" + id + ", url=" + baseUrl + ", flavor=" + flavor + ", role=" + role
        + ", weight=" + weight + ", models=" + models + ", group=" + group + ", priority="
        + priority + (apiKey != null ? ", apiKey=***" : "")
        + (headers.isEmpty() ? "" : ", headers=" + headers.keySet()) + "}";
  }

  /**
   * Builds a {@link Worker}. Setters validate their argument at once and name the field in the
   * error. Not thread-safe.
   */
  public static final class Builder {
    private final String id;
    private final URI baseUrl;
    private ApiFlavor flavor = ApiFlavor.SGLANG;
    private int weight = DEFAULT_WEIGHT;
    private final Set<String> models = new LinkedHashSet<>();
    private WorkerRole role = WorkerRole.REGULAR;
    private String group = DEFAULT_GROUP;
    private int priority;
    private @Nullable String apiKey;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Builder(String id, String baseUrl) {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(baseUrl, "baseUrl");
      if (id.isBlank()) {
        throw new IllegalArgumentException("worker id must not be blank");
      }
      this.id = id;
      this.baseUrl = parseUrl(id, baseUrl);
    }

    private static URI parseUrl(String id, String url) {
      String trimmed = url.strip();
      while (trimmed.endsWith("/")) {
        trimmed = trimmed.substring(0, trimmed.length() - 1);
      }
      // Messages never quote the URL: it may carry a password or a key in its query.
      URI uri;
      try {
        uri = new URI(trimmed);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(
            "baseUrl of worker '" + id + "' is malformed at index " + e.getIndex() + ": "
                + e.getReason());
      }
      String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
      if (scheme == null
          || !(scheme.equals("http") || scheme.equals("https") || scheme.equals("grpc")
              || scheme.equals("grpcs"))) {
        throw new IllegalArgumentException(
            "baseUrl of worker '" + id + "' must use http, https, grpc or grpcs, but "
                + (scheme == null ? "has no scheme" : "uses '" + scheme + "'"));
      }
      if (uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "baseUrl of worker '" + id + "' must not carry credentials (user:password@), which"
                + " would never be sent: use apiKey(...) or header(...)");
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw new IllegalArgumentException("baseUrl of worker '" + id + "' has no host");
      }
      int port = uri.getPort();
      if (port != -1 && (port < 1 || port > 65535)) {
        throw new IllegalArgumentException(
            "baseUrl of worker '" + id + "' has port " + port + ", outside 1-65535");
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "baseUrl of worker '" + id + "' must not have a query or fragment");
      }
      if (!scheme.equals(uri.getScheme())) {
        trimmed = scheme + trimmed.substring(uri.getScheme().length());
        uri = URI.create(trimmed);
      }
      return uri;
    }

    /**
     * Sets the API dialect. Default {@link ApiFlavor#SGLANG}.
     *
     * @param flavor the flavour
     * @return this builder
     */
    public Builder flavor(ApiFlavor flavor) {
      this.flavor = Objects.requireNonNull(flavor, "flavor");
      return this;
    }

    /**
     * Sets the weight for weighted strategies. Default {@value Worker#DEFAULT_WEIGHT}.
     *
     * @param weight the weight, at least 0
     * @return this builder
     * @throws IllegalArgumentException if the weight is negative
     */
    public Builder weight(int weight) {
      if (weight < 0) {
        throw new IllegalArgumentException(
            "weight of worker '" + id + "' must be >= 0, but was " + weight);
      }
      this.weight = weight;
      return this;
    }

    /**
     * Adds a served model name. Without any, the worker accepts every model.
     *
     * @param model the model name
     * @return this builder
     * @throws IllegalArgumentException if the name is blank
     */
    public Builder model(String model) {
      Objects.requireNonNull(model, "model");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model of worker '" + id + "' must not be blank");
      }
      models.add(model);
      return this;
    }

    /**
     * Sets the role. Default {@link WorkerRole#REGULAR}.
     *
     * @param role the role
     * @return this builder
     */
    public Builder role(WorkerRole role) {
      this.role = Objects.requireNonNull(role, "role");
      return this;
    }

    /**
     * Sets the failover group. Default {@value Worker#DEFAULT_GROUP}.
     *
     * @param group the group name
     * @return this builder
     * @throws IllegalArgumentException if the name is blank
     */
    public Builder group(String group) {
      Objects.requireNonNull(group, "group");
      if (group.isBlank()) {
        throw new IllegalArgumentException("group of worker '" + id + "' must not be blank");
      }
      this.group = group;
      return this;
    }

    /**
     * Sets the group priority; lower values are preferred. Default 0.
     *
     * @param priority the priority
     * @return this builder
     */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    /**
     * Sets the API key sent as a bearer token. It never appears in logs or {@code toString}.
     *
     * @param apiKey the key, or null for none
     * @return this builder
     * @throws IllegalArgumentException if the key is blank or contains anything but visible ASCII
     *     characters (the message never shows the key)
     */
    public Builder apiKey(@Nullable String apiKey) {
      if (apiKey != null && apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey of worker '" + id + "' must not be blank");
      }
      // Only what an HTTP header value and gRPC metadata both carry: a pasted non-breaking space
      // or curly quote would otherwise fail every request to the worker, not this call.
      if (apiKey != null && apiKey.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
        throw new IllegalArgumentException(
            "apiKey of worker '" + id + "' must contain only visible ASCII characters (no"
                + " whitespace, control or non-ASCII characters)");
      }
      this.apiKey = apiKey;
      return this;
    }

    /**
     * Adds a header sent with every request to this worker.
     *
     * @param name the header name
     * @param value the header value
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or contains illegal characters
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c >= 127 || c == ':')) {
        throw new IllegalArgumentException(
            "header name of worker '" + id + "' is invalid: '" + name + "'");
      }
      if (value.chars().anyMatch(c -> c == '\r' || c == '\n')) {
        throw new IllegalArgumentException(
            "header '" + name + "' of worker '" + id + "' must not contain line breaks");
      }
      // Header names are case-insensitive: a second spelling replaces the first.
      headers.keySet().removeIf(name::equalsIgnoreCase);
      headers.put(name, value);
      return this;
    }

    /**
     * Builds the worker.
     *
     * @return the immutable worker
     */
    public Worker build() {
      return new Worker(this);
    }
  }
}

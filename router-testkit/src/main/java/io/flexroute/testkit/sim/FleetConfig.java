package io.flexroute.testkit.sim;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The simulated fleet a replay routes to: how many workers, the engine each one runs, the model
 * they serve and how often their load is polled. Build it with {@link #builder()}; {@link
 * #defaults()} is eight workers of {@link EngineProfile#llama8bOnH100()} polled every second.
 *
 * <p>Instances are immutable and thread-safe. The builder is not thread-safe; each setter checks
 * its value and throws {@link IllegalArgumentException} naming the setting.
 */
public final class FleetConfig {

  /** Default number of workers: 8. */
  public static final int DEFAULT_WORKERS = 8;

  /** Default model name the workers serve and requests ask for: {@value}. */
  public static final String DEFAULT_MODEL = "llama-3.1-8b-instruct";

  /**
   * Default interval at which each worker's load (running and waiting requests, KV-cache usage) is
   * refreshed in its view, in virtual time: 1 second.
   */
  public static final Duration DEFAULT_LOAD_POLL_INTERVAL = Duration.ofSeconds(1);

  private static final FleetConfig DEFAULTS = builder().build();

  private final int workers;
  private final EngineProfile engine;
  private final String model;
  private final @Nullable Duration loadPollInterval;

  private FleetConfig(Builder b) {
    this.workers = b.workers;
    this.engine = b.engine;
    this.model = b.model;
    this.loadPollInterval = b.loadPollInterval;
  }

  /**
   * The default fleet.
   *
   * @return the defaults
   */
  public static FleetConfig defaults() {
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
    b.workers = workers;
    b.engine = engine;
    b.model = model;
    b.loadPollInterval = loadPollInterval;
    return b;
  }

  /** @return the number of workers */
  public int workers() {
    return workers;
  }

  /** @return the engine every worker runs */
  public EngineProfile engine() {
    return engine;
  }

  /** @return the model the workers serve */
  public String model() {
    return model;
  }

  /** @return the virtual interval of load polling, or null when loads are never reported */
  public @Nullable Duration loadPollInterval() {
    return loadPollInterval;
  }

  @Override
  public String toString() {
    return "FleetConfig{workers="
        + workers
        + ", model="
        + model
        + ", loadPollInterval="
        + loadPollInterval
        + ", engine="
        + engine
        + "}";
  }

  /** Builds a {@link FleetConfig}. Not thread-safe. */
  public static final class Builder {
    private int workers = DEFAULT_WORKERS;
    private EngineProfile engine = EngineProfile.defaults();
    private String model = DEFAULT_MODEL;
    private @Nullable Duration loadPollInterval = DEFAULT_LOAD_POLL_INTERVAL;

    private Builder() {}

    /**
     * Sets the number of workers. Default {@value #DEFAULT_WORKERS}.
     *
     * @param count from 1 to 4,096
     * @return this builder
     * @throws IllegalArgumentException if outside [1, 4096]
     */
    public Builder workers(int count) {
      if (count < 1 || count > 4096) {
        throw new IllegalArgumentException("workers must be in [1, 4096], but was " + count);
      }
      this.workers = count;
      return this;
    }

    /**
     * Sets the engine every worker runs. Default {@link EngineProfile#defaults()}.
     *
     * @param profile the engine
     * @return this builder
     */
    public Builder engine(EngineProfile profile) {
      this.engine = Objects.requireNonNull(profile, "engine");
      return this;
    }

    /**
     * Sets the model the workers serve and the requests ask for. Default {@value #DEFAULT_MODEL}.
     *
     * @param name a non-blank name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder model(String name) {
      Objects.requireNonNull(name, "model");
      if (name.isBlank()) {
        throw new IllegalArgumentException("model must not be blank");
      }
      this.model = name;
      return this;
    }

    /**
     * Sets how often, in virtual time, each worker's reported load is refreshed; null never reports
     * a load (as a router without load polling). Default 1 second.
     *
     * @param interval at least 1 millisecond, or null
     * @return this builder
     * @throws IllegalArgumentException if shorter than 1 millisecond
     */
    public Builder loadPollInterval(@Nullable Duration interval) {
      if (interval != null && interval.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException(
            "loadPollInterval must be at least 1 ms, but was " + interval);
      }
      this.loadPollInterval = interval;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the immutable settings
     */
    public FleetConfig build() {
      return new FleetConfig(this);
    }
  }
}

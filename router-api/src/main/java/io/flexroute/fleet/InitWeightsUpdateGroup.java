package io.flexroute.fleet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Makes the selected workers join the trainer's weight-update group (SGLang {@code POST
 * /init_weights_update_group}), so that {@link UpdateWeightsFromDistributed} can stream weights to
 * them. Each worker takes its own ranks in the group, starting at its rank offset; the trainer is
 * rank 0. The call blocks on the worker until the whole group met, so the trainer must join at the
 * same time (start the broadcast asynchronously), and the worker holds new requests meanwhile:
 * the router takes it out of rotation until it answered.
 *
 * <pre>{@code
 * InitWeightsUpdateGroup group = InitWeightsUpdateGroup.builder("10.0.0.1", 29500, 1 + 2 * 4)
 *     .rankOffset("w0", 1)      // w0 runs TP 4: ranks 1-4
 *     .rankOffset("w1", 5)      // w1: ranks 5-8
 *     .build();
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class InitWeightsUpdateGroup {

  /** The communication backend used when none is set: {@value}. */
  public static final String DEFAULT_BACKEND = "nccl";

  private final String masterAddress;
  private final int masterPort;
  private final int worldSize;
  private final String groupName;
  private final String backend;
  private final Map<String, Integer> rankOffsets;

  private InitWeightsUpdateGroup(Builder b) {
    this.masterAddress = b.masterAddress;
    this.masterPort = b.masterPort;
    this.worldSize = b.worldSize;
    this.groupName = b.groupName;
    this.backend = b.backend;
    this.rankOffsets = Map.copyOf(b.rankOffsets);
  }

  /**
   * Starts a builder.
   *
   * @param masterAddress the address of the group's rank 0 (the trainer)
   * @param masterPort its port
   * @param worldSize the number of ranks in the group, the trainer's included
   * @return a new builder
   * @throws IllegalArgumentException if the address is blank, the port outside 1 to 65535, or the
   *     world size below 2
   */
  public static Builder builder(String masterAddress, int masterPort, int worldSize) {
    return new Builder(masterAddress, masterPort, worldSize);
  }

  /** @return the address of rank 0 ({@code master_address}) */
  public String masterAddress() {
    return masterAddress;
  }

  /** @return the port of rank 0 ({@code master_port}) */
  public int masterPort() {
    return masterPort;
  }

  /** @return the number of ranks ({@code world_size}) */
  public int worldSize() {
    return worldSize;
  }

  /** @return the group's name ({@code group_name}) */
  public String groupName() {
    return groupName;
  }

  /** @return the backend ({@code backend}) */
  public String backend() {
    return backend;
  }

  /** @return each worker's first rank ({@code rank_offset}), by worker id; immutable */
  public Map<String, Integer> rankOffsets() {
    return rankOffsets;
  }

  @Override
  public String toString() {
    return "InitWeightsUpdateGroup{master=" + masterAddress + ":" + masterPort + ", worldSize="
        + worldSize + ", groupName=" + groupName + ", backend=" + backend + ", rankOffsets="
        + rankOffsets + "}";
  }

  /** Builds an {@link InitWeightsUpdateGroup}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private final String masterAddress;
    private final int masterPort;
    private final int worldSize;
    private String groupName = UpdateWeightsFromDistributed.DEFAULT_GROUP_NAME;
    private String backend = DEFAULT_BACKEND;
    private final Map<String, Integer> rankOffsets = new LinkedHashMap<>();

    private Builder(String masterAddress, int masterPort, int worldSize) {
      this.masterAddress = EngineOptions.requireText(masterAddress, "masterAddress");
      if (masterPort < 1 || masterPort > 65_535) {
        throw new IllegalArgumentException(
            "masterPort must be in [1, 65535], but was " + masterPort);
      }
      if (worldSize < 2) {
        throw new IllegalArgumentException("worldSize must be >= 2, but was " + worldSize);
      }
      this.masterPort = masterPort;
      this.worldSize = worldSize;
    }

    /**
     * Sets the group's name. Default {@value UpdateWeightsFromDistributed#DEFAULT_GROUP_NAME}.
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
     * Sets the backend. Default {@value #DEFAULT_BACKEND}.
     *
     * @param backend a non-blank name
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder backend(String backend) {
      this.backend = EngineOptions.requireText(backend, "backend");
      return this;
    }

    /**
     * Sets a worker's first rank. Every worker the broadcast selects needs one.
     *
     * @param workerId the worker
     * @param rankOffset its first rank, from 1 (0 is the trainer) and below the world size
     * @return this builder
     * @throws IllegalArgumentException if the id is blank or the offset out of range
     */
    public Builder rankOffset(String workerId, int rankOffset) {
      EngineOptions.requireText(workerId, "workerId");
      if (rankOffset < 1 || rankOffset >= worldSize) {
        throw new IllegalArgumentException(
            "rankOffset of worker " + workerId + " must be in [1, " + (worldSize - 1)
                + "], but was " + rankOffset);
      }
      rankOffsets.put(workerId, rankOffset);
      return this;
    }

    /**
     * Builds the group description.
     *
     * @return the immutable description
     * @throws IllegalArgumentException if no rank offset was set, or two workers have the same
     */
    public InitWeightsUpdateGroup build() {
      if (rankOffsets.isEmpty()) {
        throw new IllegalArgumentException("rankOffsets: set the rank offset of every worker");
      }
      java.util.Map<Integer, String> byOffset = new java.util.HashMap<>();
      for (java.util.Map.Entry<String, Integer> e : rankOffsets.entrySet()) {
        String other = byOffset.putIfAbsent(e.getValue(), e.getKey());
        if (other != null) {
          // Both would claim the same ranks, and the group's rendezvous would never complete.
          throw new IllegalArgumentException(
              "rankOffsets: workers " + other + " and " + e.getKey() + " both have rank offset "
                  + e.getValue());
        }
      }
      Objects.requireNonNull(groupName, "groupName");
      return new InitWeightsUpdateGroup(this);
    }
  }
}

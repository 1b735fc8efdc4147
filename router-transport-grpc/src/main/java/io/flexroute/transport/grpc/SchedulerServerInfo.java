package io.flexroute.transport.grpc;

import java.util.Map;
import java.util.Objects;

/**
 * What an SGLang scheduler reports about itself ({@code GetServerInfo}).
 *
 * <p>Instances are immutable and thread-safe. The argument maps hold JSON-like values: strings,
 * doubles (protobuf {@code Struct} numbers), booleans, lists, nested maps, and
 * {@link #NULL} for JSON null.
 *
 * @param serverArgs the server's launch arguments
 * @param schedulerInfo the scheduler's own information
 * @param activeRequests the requests running now
 * @param paused whether generation is paused
 * @param lastReceiveTimestamp when the server last received a request, in seconds since the epoch
 * @param uptimeSeconds how long the server has been up
 * @param sglangVersion the SGLang version
 * @param serverType the server type, {@code "grpc"} for SGLang's gRPC server
 * @param maxTotalNumTokens the KV-cache capacity in tokens
 */
public record SchedulerServerInfo(
    Map<String, Object> serverArgs,
    Map<String, Object> schedulerInfo,
    int activeRequests,
    boolean paused,
    double lastReceiveTimestamp,
    double uptimeSeconds,
    String sglangVersion,
    String serverType,
    int maxTotalNumTokens) {

  /** The value that stands for JSON null in {@link #serverArgs()} and {@link #schedulerInfo()}. */
  public static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  /**
   * Validates the fields and copies the maps.
   *
   * @param serverArgs the server's launch arguments
   * @param schedulerInfo the scheduler's own information
   * @param activeRequests the requests running now
   * @param paused whether generation is paused
   * @param lastReceiveTimestamp when the server last received a request, in seconds since the epoch
   * @param uptimeSeconds how long the server has been up
   * @param sglangVersion the SGLang version
   * @param serverType the server type, {@code "grpc"} for SGLang's gRPC server
   * @param maxTotalNumTokens the KV-cache capacity in tokens
   * @throws NullPointerException if a field is null
   */
  public SchedulerServerInfo {
    serverArgs = Map.copyOf(serverArgs);
    schedulerInfo = Map.copyOf(schedulerInfo);
    Objects.requireNonNull(sglangVersion, "sglangVersion");
    Objects.requireNonNull(serverType, "serverType");
  }
}

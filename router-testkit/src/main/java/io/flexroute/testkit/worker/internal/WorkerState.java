package io.flexroute.testkit.worker.internal;

import java.time.Instant;

/** The mutable, test-controlled state of one worker: weight version, health, reported usage. */
final class WorkerState {

  private final long createdEpochSecond = Instant.now().getEpochSecond();
  private volatile String weightVersion;
  private volatile String modelPath;
  private volatile boolean healthy = true;
  private volatile double tokenUsage = Double.NaN;

  WorkerState(String weightVersion, String modelPath) {
    this.weightVersion = weightVersion;
    this.modelPath = modelPath;
  }

  long createdEpochSecond() {
    return createdEpochSecond;
  }

  String weightVersion() {
    return weightVersion;
  }

  void setWeightVersion(String weightVersion) {
    this.weightVersion = weightVersion;
  }

  String modelPath() {
    return modelPath;
  }

  void setModelPath(String modelPath) {
    this.modelPath = modelPath;
  }

  boolean healthy() {
    return healthy;
  }

  void setHealthy(boolean healthy) {
    this.healthy = healthy;
  }

  /** Returns the fixed token usage, or NaN when the load endpoints should estimate it. */
  double tokenUsage() {
    return tokenUsage;
  }

  void setTokenUsage(double tokenUsage) {
    this.tokenUsage = tokenUsage;
  }
}

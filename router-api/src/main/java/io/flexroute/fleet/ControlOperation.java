package io.flexroute.fleet;

import java.util.Locale;

/**
 * The operations of the fleet control plane, as named in results, failures and logs.
 *
 * <p>Immutable and thread-safe, as every enum.
 */
public enum ControlOperation {
  /** Load new weights from a path on the worker's disk ({@code /update_weights_from_disk}). */
  UPDATE_WEIGHTS_FROM_DISK,
  /** Join the trainer's weight-update group (SGLang {@code /init_weights_update_group}). */
  INIT_WEIGHTS_UPDATE_GROUP,
  /** Receive new weights over the group (SGLang {@code /update_weights_from_distributed}). */
  UPDATE_WEIGHTS_FROM_DISTRIBUTED,
  /** Change only the weight-version label (SGLang {@code /update_weight_version}). */
  UPDATE_WEIGHT_VERSION,
  /** Empty the worker's prefix cache (SGLang {@code /flush_cache}). */
  FLUSH_CACHE,
  /** Pause generation (SGLang {@code /pause_generation}). */
  PAUSE_GENERATION,
  /** Continue paused generation (SGLang {@code /continue_generation}). */
  CONTINUE_GENERATION,
  /** Read the worker's current weight version (SGLang {@code /model_info}). */
  READ_WEIGHT_VERSION,
  /** Read what the worker reports about itself ({@code /server_info}, {@code /model_info}). */
  SERVER_INFO;

  /**
   * The operation's name in lower case with spaces, for messages.
   *
   * @return such as {@code "update weights from disk"}
   */
  public String describe() {
    return name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}

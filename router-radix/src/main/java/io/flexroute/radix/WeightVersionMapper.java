package io.flexroute.radix;

/**
 * Maps a worker's weight version (SGLang's {@code meta_info.weight_version}, a string such as
 * {@code "7"} or {@code "default"}) to the integer version the {@link RadixTokenCache} stores and
 * garbage-collects by.
 *
 * <p>Implementations must be thread-safe and stable: once a string has been mapped to a number, it
 * must always map to it. Results must be at least 0 ({@link RadixTokenCache#NO_VERSION} is
 * reserved for tokens without a version, and the rollout client gives it itself when the worker
 * reports none).
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface WeightVersionMapper {

  /**
   * Maps a worker's weight version to the cache's integer version.
   *
   * @param workerVersion the worker's version string, never null
   * @return the version, at least 0
   */
  int toInt(String workerVersion);

  /**
   * Returns a new instance of the standard mapping, with a registry of its own.
   *
   * <ul>
   *   <li>A string of decimal digits (surrounding whitespace ignored) that fits an {@code int} maps
   *       to its value: {@code "7"} is 7. Trainers that number their weight updates (as slime does)
   *       get the same numbers in the cache.
   *   <li>SGLang's initial label {@code "default"} is 0: the weights before any update, older than
   *       every update even when a restarted worker reports it after them.
   *   <li>Any other string (such as {@code "step-300"}, a
   *       checkpoint hash or a negative number) gets, the first time this instance sees it, one more
   *       than the highest version it has produced so far by either rule (1 if none, as 0 is the
   *       initial weights'), and keeps that
   *       number from then on. Versions seen in the order of the weight updates therefore get
   *       increasing numbers, which is what GC by version assumes.
   * </ul>
   *
   * <p>The returned instance is thread-safe. Share one instance between everything that must agree
   * on the numbers (the rollout client and the code that calls {@link
   * RadixTokenCache#gcByWeightVersion(int)}).
   *
   * @return the mapper
   */
  static WeightVersionMapper standard() {
    return new io.flexroute.radix.internal.StandardWeightVersionMapper();
  }
}

package io.flexroute.fleet;

import io.flexroute.RouterException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A worker accepted a weight update but, read back afterwards, reports a weight version other than
 * the one the update set. The router records the version the worker reports.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class WeightVersionMismatchException extends RouterException {
  private static final long serialVersionUID = 1L;

  /** The worker concerned. */
  private final String workerId;
  /** The version that was expected. */
  private final String expected;
  /** The version the worker reported, if any. */
  private final @Nullable String actual;

  /**
   * Creates the exception.
   *
   * @param workerId the worker
   * @param expected the version the update set
   * @param actual the version the worker reports, or null if it reports none
   */
  public WeightVersionMismatchException(String workerId, String expected, @Nullable String actual) {
    super("worker '" + workerId + "' accepted the update to weight version '" + expected
        + "' but reports " + (actual == null ? "no version" : "'" + actual + "'"));
    this.workerId = Objects.requireNonNull(workerId, "workerId");
    this.expected = Objects.requireNonNull(expected, "expected");
    this.actual = actual;
  }

  /** @return the worker */
  public String workerId() {
    return workerId;
  }

  /** @return the version the update set */
  public String expected() {
    return expected;
  }

  /** @return the version the worker reports, or null */
  public @Nullable String actual() {
    return actual;
  }
}

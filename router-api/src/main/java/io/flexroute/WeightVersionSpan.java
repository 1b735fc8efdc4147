package io.flexroute;

import java.util.List;
import java.util.Objects;

/**
 * The weights that generated a run of output tokens: SGLang's {@code meta_info.weight_versions}
 * entries, which newer builds report when a generation ran across a weight update (a pause that
 * kept its requests, an update, a continue), so that each output token can be told apart by the
 * weights that produced it.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param version the weight version label, as the worker reports it
 * @param start the position of the first output token of the run (0 for the first output token)
 * @param end the position after its last output token (half-open: {@code [start, end)})
 */
public record WeightVersionSpan(String version, int start, int end) {

  /**
   * Validates the span.
   *
   * @param version the weight version label, as the worker reports it
   * @param start the position of the first output token of the run
   * @param end the position after its last output token
   * @throws NullPointerException if the version is null
   * @throws IllegalArgumentException if the version is empty, start is negative or end is before
   *     start
   */
  public WeightVersionSpan {
    Objects.requireNonNull(version, "version");
    if (version.isEmpty()) {
      throw new IllegalArgumentException("a weight version span's version must not be empty");
    }
    if (start < 0 || end < start) {
      throw new IllegalArgumentException(
          "a weight version span needs 0 <= start <= end, but was [" + start + ", " + end + ")");
    }
  }

  /**
   * The number of output tokens in the span.
   *
   * @return {@code end - start}
   */
  public int length() {
    return end - start;
  }

  /**
   * Checks that spans can describe an answer of {@code outputTokens} tokens: in order of their
   * positions, not overlapping, and within the output.
   *
   * @param spans the spans
   * @param outputTokens the number of output tokens
   * @return an immutable copy of the spans
   * @throws NullPointerException if the list or a span is null
   * @throws IllegalArgumentException if the spans overlap, are out of order or reach past the
   *     output
   */
  public static List<WeightVersionSpan> checked(List<WeightVersionSpan> spans, int outputTokens) {
    List<WeightVersionSpan> copy = List.copyOf(Objects.requireNonNull(spans, "spans"));
    int previousEnd = 0;
    for (int i = 0; i < copy.size(); i++) {
      WeightVersionSpan s = copy.get(i);
      if (s.start < previousEnd) {
        throw new IllegalArgumentException(
            "weight version span " + i + " [" + s.start + ", " + s.end + ") starts before the"
                + " previous one ends (" + previousEnd + "): spans must be in order and must not"
                + " overlap");
      }
      if (s.end > outputTokens) {
        throw new IllegalArgumentException(
            "weight version span " + i + " [" + s.start + ", " + s.end + ") reaches past the "
                + outputTokens + " output tokens");
      }
      previousEnd = s.end;
    }
    return copy;
  }
}

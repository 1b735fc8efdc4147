package io.flexroute.testkit.sim;

import io.flexroute.TokenIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One conversation of a {@link Trace}: a sequence of turns in which each turn's prompt is the
 * previous turn's prompt, its output and the input appended after it (a tool output, a user
 * message), so the conversation is one growing token sequence.
 *
 * <p>Turn {@code k} sends the first {@link #promptLength(int) promptLength(k)} tokens of the
 * sequence and the engine generates the next {@link #outputLength(int) outputLength(k)} tokens (the
 * trace fixes what is generated, so caches see the same tokens in every replay). Turn {@code k + 1}
 * is sent {@link #thinkTime(int) thinkTime(k + 1)} after turn {@code k} ends. The first turn is
 * sent at {@link #arrival()} (or later, when the replay limits concurrent conversations).
 *
 * <p>Instances are immutable and thread-safe. Build one with {@link #builder(String)}; token arrays
 * given to the builder are copied.
 */
public final class Conversation {

  private final String id;
  private final @Nullable String routingKey;
  private final long arrivalNanos;
  private final int[][] segments;
  private final int[] segmentEnds;
  private final int[] promptEnds;
  private final int[] outputEnds;
  private final long[] thinkNanos;

  private Conversation(Builder b) {
    this.id = b.id;
    this.routingKey = b.routingKeySet ? b.routingKey : b.id;
    this.arrivalNanos = b.arrivalNanos;
    this.segments = b.segments.toArray(new int[0][]);
    this.segmentEnds = new int[segments.length];
    int end = 0;
    for (int i = 0; i < segments.length; i++) {
      end += segments[i].length;
      segmentEnds[i] = end;
    }
    this.promptEnds = toArray(b.promptEnds);
    this.outputEnds = toArray(b.outputEnds);
    this.thinkNanos = b.thinkNanos.stream().mapToLong(Long::longValue).toArray();
  }

  private static int[] toArray(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Starts a builder.
   *
   * @param id the conversation's id, unique within its trace, not blank
   * @return a new builder
   * @throws IllegalArgumentException if the id is blank
   */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /** @return the conversation's id */
  public String id() {
    return id;
  }

  /** @return the routing key its requests carry (by default the id), or null for none */
  public @Nullable String routingKey() {
    return routingKey;
  }

  /** @return when the first turn is due, from the start of the replay */
  public Duration arrival() {
    return Duration.ofNanos(arrivalNanos);
  }

  /** @return {@link #arrival()} in nanoseconds */
  public long arrivalNanos() {
    return arrivalNanos;
  }

  /** @return the number of turns, at least 1 */
  public int turns() {
    return promptEnds.length;
  }

  /**
   * The prompt length of a turn.
   *
   * @param turn the turn, from 0
   * @return its prompt tokens, at least 1
   * @throws IndexOutOfBoundsException if there is no such turn
   */
  public int promptLength(int turn) {
    return promptEnds[Objects.checkIndex(turn, promptEnds.length)];
  }

  /**
   * The output length of a turn.
   *
   * @param turn the turn, from 0
   * @return its generated tokens, at least 1
   * @throws IndexOutOfBoundsException if there is no such turn
   */
  public int outputLength(int turn) {
    Objects.checkIndex(turn, promptEnds.length);
    return outputEnds[turn] - promptEnds[turn];
  }

  /**
   * The time between the end of the previous turn and the sending of this one (a tool running, a
   * user typing); zero for the first turn.
   *
   * @param turn the turn, from 0
   * @return the delay
   * @throws IndexOutOfBoundsException if there is no such turn
   */
  public Duration thinkTime(int turn) {
    return Duration.ofNanos(thinkNanos(turn));
  }

  /**
   * {@link #thinkTime(int)} in nanoseconds.
   *
   * @param turn the turn, from 0
   * @return the delay in nanoseconds
   * @throws IndexOutOfBoundsException if there is no such turn
   */
  public long thinkNanos(int turn) {
    return thinkNanos[Objects.checkIndex(turn, thinkNanos.length)];
  }

  /** @return the length of the whole sequence: the last turn's prompt and output */
  public int length() {
    return outputEnds[outputEnds.length - 1];
  }

  /** @return the sum of the prompt lengths of all turns */
  public long promptTokens() {
    long sum = 0;
    for (int end : promptEnds) {
      sum += end;
    }
    return sum;
  }

  /** @return the sum of the output lengths of all turns */
  public long outputTokens() {
    long sum = 0;
    for (int k = 0; k < promptEnds.length; k++) {
      sum += outputEnds[k] - promptEnds[k];
    }
    return sum;
  }

  /**
   * Copies a range of the token sequence.
   *
   * @param from the first position, inclusive
   * @param to the last position, exclusive, at most {@link #length()}
   * @return a new array of the token ids
   * @throws IndexOutOfBoundsException if the range is outside the sequence
   */
  public int[] tokens(int from, int to) {
    Objects.checkFromToIndex(from, to, length());
    int[] out = new int[to - from];
    int s = Arrays.binarySearch(segmentEnds, from);
    s = s >= 0 ? s + 1 : -s - 1;
    int at = from;
    while (at < to) {
      int start = s == 0 ? 0 : segmentEnds[s - 1];
      int n = Math.min(segmentEnds[s], to) - at;
      System.arraycopy(segments[s], at - start, out, at - from, n);
      at += n;
      s++;
    }
    return out;
  }

  /**
   * The prompt of a turn as token ids.
   *
   * @param turn the turn, from 0
   * @return the ids
   * @throws IndexOutOfBoundsException if there is no such turn
   */
  public TokenIds prompt(int turn) {
    return TokenIds.of(tokens(0, promptLength(turn)));
  }

  /**
   * The prompt of a turn as text ({@link TokenText}).
   *
   * @param turn the turn, from 0
   * @return the text
   * @throws IndexOutOfBoundsException if there is no such turn
   */
  public String promptText(int turn) {
    int[] ids = tokens(0, promptLength(turn));
    return TokenText.decode(ids, 0, ids.length);
  }

  @Override
  public String toString() {
    return "Conversation{" + id + ", turns=" + turns() + ", length=" + length() + "}";
  }

  /** Builds a {@link Conversation}. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private @Nullable String routingKey;
    private boolean routingKeySet;
    private long arrivalNanos;
    private final List<int[]> segments = new ArrayList<>();
    private final List<Integer> promptEnds = new ArrayList<>();
    private final List<Integer> outputEnds = new ArrayList<>();
    private final List<Long> thinkNanos = new ArrayList<>();
    private int length;

    private Builder(String id) {
      Objects.requireNonNull(id, "id");
      if (id.isBlank()) {
        throw new IllegalArgumentException("id must not be blank");
      }
      this.id = id;
    }

    /**
     * Sets the routing key the conversation's requests carry. Default: the conversation's id.
     *
     * @param key the key, or null for requests without one
     * @return this builder
     */
    public Builder routingKey(@Nullable String key) {
      this.routingKey = key;
      this.routingKeySet = true;
      return this;
    }

    /**
     * Sets when the first turn is due, from the start of the replay. Default zero.
     *
     * @param arrival not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder arrival(Duration arrival) {
      Objects.requireNonNull(arrival, "arrival");
      if (arrival.isNegative()) {
        throw new IllegalArgumentException("arrival must not be negative, but was " + arrival);
      }
      this.arrivalNanos = arrival.toNanos();
      return this;
    }

    /**
     * Adds the first turn, or a turn sent as soon as the previous one ends.
     *
     * @param input the tokens appended to the sequence before the prompt is sent (the whole prompt
     *     for the first turn, which must not be empty)
     * @param output the tokens the engine generates, at least one
     * @return this builder
     * @throws IllegalArgumentException if the first turn's input or any output is empty, or an id
     *     is negative
     */
    public Builder turn(int[] input, int[] output) {
      return turn(Duration.ZERO, input, output);
    }

    /**
     * Adds a turn.
     *
     * @param thinkTime the delay between the end of the previous turn and this one; must be zero
     *     for the first turn
     * @param input the tokens appended to the sequence before the prompt is sent (the whole prompt
     *     for the first turn, which must not be empty)
     * @param output the tokens the engine generates, at least one
     * @return this builder
     * @throws IllegalArgumentException if the first turn's input or any output is empty, an id is
     *     negative, the think time is negative, or the first turn has one
     */
    public Builder turn(Duration thinkTime, int[] input, int[] output) {
      Objects.requireNonNull(thinkTime, "thinkTime");
      if (thinkTime.isNegative()) {
        throw new IllegalArgumentException("thinkTime must not be negative, but was " + thinkTime);
      }
      checkIds("input", input);
      checkIds("output", output);
      return add(thinkTime.toNanos(), new int[][] {input.clone()}, output.clone());
    }

    /** Adds a turn whose arrays are shared, not copied (trace generators; ids already valid). */
    Builder addShared(long thinkNanos, int[][] inputs, int[] output) {
      return add(thinkNanos, inputs, output);
    }

    private Builder add(long think, int[][] inputs, int[] output) {
      boolean first = promptEnds.isEmpty();
      if (first && think != 0) {
        throw new IllegalArgumentException("the first turn must not have a thinkTime");
      }
      int inputLength = 0;
      for (int[] input : inputs) {
        inputLength += input.length;
      }
      if (first && inputLength == 0) {
        throw new IllegalArgumentException("the first turn's input must not be empty");
      }
      if (output.length == 0) {
        throw new IllegalArgumentException("output must not be empty");
      }
      if ((long) length + inputLength + output.length > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("the conversation is too long");
      }
      for (int[] input : inputs) {
        if (input.length > 0) {
          segments.add(input);
        }
      }
      segments.add(output);
      length += inputLength;
      promptEnds.add(length);
      length += output.length;
      outputEnds.add(length);
      thinkNanos.add(think);
      return this;
    }

    private static void checkIds(String field, int[] ids) {
      Objects.requireNonNull(ids, field);
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] < 0) {
          throw new IllegalArgumentException(
              field + " token ids must be >= 0, but id " + i + " was " + ids[i]);
        }
      }
    }

    /**
     * Builds the conversation.
     *
     * @return the immutable conversation
     * @throws IllegalArgumentException if no turn was added
     */
    public Conversation build() {
      if (promptEnds.isEmpty()) {
        throw new IllegalArgumentException("a conversation needs at least one turn");
      }
      return new Conversation(this);
    }
  }
}

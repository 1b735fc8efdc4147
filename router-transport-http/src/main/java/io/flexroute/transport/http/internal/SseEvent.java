package io.flexroute.transport.http.internal;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One server-sent event.
 *
 * <p>Instances are immutable and thread-safe. {@code toString()} leaves out the data.
 *
 * @param event the {@code event:} name, or null when the event had none
 * @param id the {@code id:} value, or null
 * @param data the {@code data:} lines joined with {@code \n}
 */
public record SseEvent(@Nullable String event, @Nullable String id, String data) {

  /** The data of the event that ends OpenAI and SGLang streams. */
  public static final String DONE = "[DONE]";

  /**
   * Validates the event.
   *
   * @param event the {@code event:} name, or null
   * @param id the {@code id:} value, or null
   * @param data the joined data lines
   * @throws NullPointerException if data is null
   */
  public SseEvent {
    Objects.requireNonNull(data, "data");
  }

  /**
   * Whether this is the {@code data: [DONE]} end marker.
   *
   * @return {@code true} for the end marker
   */
  public boolean isDone() {
    return DONE.equals(data.strip());
  }

  @Override
  public String toString() {
    return "SseEvent{event=" + event + ", id=" + id + ", dataChars=" + data.length() + "}";
  }
}

package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;
import org.junit.jupiter.api.Test;

class SseReaderTest {

  /** Hands out the bytes of each segment in reads of at most {@code step} bytes. */
  private static final class ScriptedSource implements Source {
    private final Deque<Buffer> segments = new ArrayDeque<>();
    private final int step;
    private final boolean failWhenDrained;

    ScriptedSource(int step, boolean failWhenDrained, String... segments) {
      this.step = step;
      this.failWhenDrained = failWhenDrained;
      for (String s : segments) {
        this.segments.add(new Buffer().writeUtf8(s));
      }
    }

    @Override
    public long read(Buffer sink, long byteCount) {
      while (!segments.isEmpty() && segments.peek().size() == 0) {
        segments.poll();
      }
      if (segments.isEmpty()) {
        if (failWhenDrained) {
          throw new AssertionError("the reader asked for more bytes than an event needs");
        }
        return -1;
      }
      Buffer head = segments.peek();
      long n = Math.min(Math.min(step, byteCount), head.size());
      sink.write(head, n);
      return n;
    }

    @Override
    public Timeout timeout() {
      return Timeout.NONE;
    }

    @Override
    public void close() {}
  }

  private static List<SseEvent> readAll(String body, int step) throws IOException {
    SseReader reader = new SseReader(Okio.buffer(new ScriptedSource(step, false, body)));
    List<SseEvent> events = new ArrayList<>();
    SseEvent e;
    while ((e = reader.next()) != null) {
      events.add(e);
    }
    return events;
  }

  /** Reads the body one byte per read, a few bytes per read, and all at once: same events. */
  private static List<SseEvent> readAtEveryBoundary(String body) throws IOException {
    List<SseEvent> whole = readAll(body, Integer.MAX_VALUE);
    for (int step : new int[] {1, 2, 3, 7}) {
      assertThat(readAll(body, step)).as("reads of %d bytes", step).isEqualTo(whole);
    }
    return whole;
  }

  @Test
  void next_readsDataEventsSplitAtAnyByte() throws IOException {
    List<SseEvent> events =
        readAtEveryBoundary("data: {\"a\":1}\n\ndata: {\"b\":\"\u00e9\u4e2d\ud83d\ude00\"}\n\n");
    assertThat(events)
        .containsExactly(
            new SseEvent(null, null, "{\"a\":1}"),
            new SseEvent(null, null, "{\"b\":\"\u00e9\u4e2d\ud83d\ude00\"}"));
  }

  @Test
  void next_joinsMultiLineDataWithNewlines() throws IOException {
    assertThat(readAtEveryBoundary("data: first\ndata:second\ndata:  third\n\n"))
        .containsExactly(new SseEvent(null, null, "first\nsecond\n third"));
  }

  @Test
  void next_dropsOnlyOneSpaceAfterTheColon() throws IOException {
    assertThat(readAtEveryBoundary("data:x\n\ndata: x\n\ndata:  x\n\ndata\n\n"))
        .extracting(SseEvent::data)
        .containsExactly("x", "x", " x", "");
  }

  @Test
  void next_skipsCommentsAndUnknownFields() throws IOException {
    assertThat(readAtEveryBoundary(": keep-alive\n\n:\ndata: a\nretry: 10\nfoo: bar\n: note\n\n"))
        .containsExactly(new SseEvent(null, null, "a"));
  }

  @Test
  void next_keepsEventNameAndId() throws IOException {
    assertThat(readAtEveryBoundary("event: error\nid: 7\ndata: {}\n\ndata: next\n\n"))
        .containsExactly(new SseEvent("error", "7", "{}"), new SseEvent(null, "7", "next"));
  }

  @Test
  void next_dropsAnEventWithoutData() throws IOException {
    assertThat(readAtEveryBoundary("event: ping\n\ndata: a\n\n"))
        .containsExactly(new SseEvent(null, null, "a"));
  }

  @Test
  void next_handlesCrLfAndCrLineEnds() throws IOException {
    List<SseEvent> crlf = readAtEveryBoundary("data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n");
    List<SseEvent> cr = readAtEveryBoundary("data: a\rdata: b\r\rdata: c\r\r");
    List<SseEvent> mixed = readAtEveryBoundary("data: a\ndata: b\r\n\rdata: c\r\n\n");
    List<SseEvent> expected =
        List.of(new SseEvent(null, null, "a\nb"), new SseEvent(null, null, "c"));
    assertThat(crlf).isEqualTo(expected);
    assertThat(cr).isEqualTo(expected);
    assertThat(mixed).isEqualTo(expected);
  }

  @Test
  void next_recognisesDoneMarker() throws IOException {
    List<SseEvent> events = readAtEveryBoundary("data: {}\n\ndata: [DONE]\n\n");
    assertThat(events).hasSize(2);
    assertThat(events.get(0).isDone()).isFalse();
    assertThat(events.get(1).isDone()).isTrue();
  }

  @Test
  void next_deliversLastEventWithoutBlankLineAtEof() throws IOException {
    assertThat(readAtEveryBoundary("data: a\n\ndata: b")).extracting(SseEvent::data)
        .containsExactly("a", "b");
    assertThat(readAtEveryBoundary("data: a\n\ndata: b\n")).extracting(SseEvent::data)
        .containsExactly("a", "b");
    assertThat(readAtEveryBoundary("data: a\r")).extracting(SseEvent::data)
        .containsExactly("a");
  }

  @Test
  void next_returnsNullForEmptyOrCommentOnlyBody() throws IOException {
    assertThat(readAtEveryBoundary("")).isEmpty();
    assertThat(readAtEveryBoundary(": only a comment\n\n\n")).isEmpty();
  }

  @Test
  void next_stripsLeadingByteOrderMark() throws IOException {
    assertThat(readAtEveryBoundary("\ufeffdata: a\n\n")).extracting(SseEvent::data)
        .containsExactly("a");
  }

  @Test
  void next_doesNotWaitForMoreBytesOnceAnEventIsComplete() throws IOException {
    // The source fails the test if asked for bytes beyond the first event, as a socket would block.
    BufferedSource source = Okio.buffer(new ScriptedSource(1, true, "data: a\r\r"));
    SseReader reader = new SseReader(source);
    assertThat(reader.next()).isEqualTo(new SseEvent(null, null, "a"));

    BufferedSource lf = Okio.buffer(new ScriptedSource(1, true, "data: a\n\n"));
    assertThat(new SseReader(lf).next()).isEqualTo(new SseEvent(null, null, "a"));
  }

  @Test
  void next_treatsLfAfterCrInTheNextReadAsOneLineEnd() throws IOException {
    // "\r" ends the first read, "\n" starts the second: one line end, not two.
    Source source = new ScriptedSource(Integer.MAX_VALUE, false, "data: a\r", "\ndata: b\r\n\r\n");
    SseReader reader = new SseReader(Okio.buffer(source));
    assertThat(reader.next()).isEqualTo(new SseEvent(null, null, "a\nb"));
    assertThat(reader.next()).isNull();
  }

  @Test
  void next_failsOnAnEventLargerThanTheLimit() {
    String big = "data: " + "x".repeat(200) + "\n\n";
    SseReader reader = new SseReader(Okio.buffer(new ScriptedSource(7, false, big)), 100);
    assertThatThrownBy(reader::next)
        .isInstanceOf(SseFormatException.class)
        .hasMessageContaining("larger than 100 bytes");

    String manyLines = "data: 0123456789\n".repeat(20) + "\n";
    SseReader lines = new SseReader(Okio.buffer(new ScriptedSource(7, false, manyLines)), 100);
    assertThatThrownBy(lines::next).isInstanceOf(SseFormatException.class);
  }

  @Test
  void next_joinsManyDataLinesAndKeepsUtf8() throws IOException {
    String line = "\u00e9\u4e2d\ud83d\ude00 " + "y".repeat(40);
    String body = ("data: " + line + "\n").repeat(9) + "\n";
    assertThat(readAtEveryBoundary(body)).extracting(SseEvent::data)
        .containsExactly(String.join("\n", java.util.Collections.nCopies(9, line)));
  }

  @Test
  void next_decodesMalformedUtf8AsReplacementCharacters() throws IOException {
    Buffer body = new Buffer().writeUtf8("data: a").writeByte(0xC3).writeUtf8("b\n\n");
    assertThat(new SseReader(body).next().data()).isEqualTo("a\ufffdb");
  }

  @Test
  void isDone_allowsWhiteSpaceAroundTheMarkerOnly() {
    assertThat(new SseEvent(null, null, " [DONE]\t").isDone()).isTrue();
    assertThat(new SseEvent(null, null, "\u2003[DONE]\u2003").isDone()).isTrue();
    assertThat(new SseEvent(null, null, "[DONE]x").isDone()).isFalse();
    assertThat(new SseEvent(null, null, "[done]").isDone()).isFalse();
    assertThat(new SseEvent(null, null, "").isDone()).isFalse();
  }

  @Test
  void events_withTheSameFieldsAndDataAreEqual() {
    byte[] line = "data: abc".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    SseEvent fromBytes = new SseEvent("e", "1", line, 6, 3);
    assertThat(fromBytes).isEqualTo(new SseEvent("e", "1", "abc"))
        .hasSameHashCodeAs(new SseEvent("e", "1", "abc"));
    assertThat(fromBytes.data()).isEqualTo("abc");
    assertThat(fromBytes).isNotEqualTo(new SseEvent("e", "1", "abd"));
    assertThat(fromBytes).isNotEqualTo(new SseEvent(null, "1", "abc"));
  }

  @Test
  void toString_leavesOutTheData() {
    assertThat(new SseEvent("e", null, "secret prompt").toString())
        .doesNotContain("secret")
        .contains("dataBytes=13");
  }
}

package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Streams an OpenAI answer: an opening chunk (chat: {@code delta.role}), one delta chunk per token,
 * a chunk with the finish reason and an empty delta, the usage chunk ({@code "choices": []}) if
 * {@code stream_options.include_usage}, then {@code data: [DONE]}.
 */
final class OpenAiStreamSink implements TokenSink {

  private final Call call;
  private final Generation generation;
  private final OpenAiFormat format;
  private final OpenAiRequest request;
  private @Nullable SseWriter writer;
  private boolean opened;
  private int sent;

  OpenAiStreamSink(Call call, Generation generation, OpenAiFormat format, OpenAiRequest request) {
    this.call = call;
    this.generation = generation;
    this.format = format;
    this.request = request;
  }

  @Override
  public void begin() throws IOException {
    writer = SseWriter.open(call, Protocol.OPENAI);
  }

  @Override
  public void emit(int produced, @Nullable FinishReason finish) throws IOException {
    SseWriter out = writer();
    if (!opened) {
      opened = true;
      ObjectNode opening = format.openingChoice();
      if (opening != null) {
        out.event(OpenAiJson.chunk(generation, format.chunkObject(), opening));
      }
    }
    if (produced > sent) {
      ObjectNode choice = format.deltaChoice(generation, sent, produced, request.logprobs());
      out.event(OpenAiJson.chunk(generation, format.chunkObject(), choice));
      sent = produced;
    }
    if (finish != null) {
      out.event(OpenAiJson.chunk(generation, format.chunkObject(), format.finishChoice(finish)));
    }
  }

  @Override
  public void complete(int produced, FinishReason finish) throws IOException {
    SseWriter out = writer();
    if (request.includeUsage()) {
      ObjectNode chunk = OpenAiJson.envelope(generation, format.chunkObject(), Json.array());
      chunk.set("usage", OpenAiJson.usage(generation, produced));
      out.event(chunk);
    }
    out.done();
  }

  private SseWriter writer() {
    if (writer == null) {
      throw new IllegalStateException("begin() was not called");
    }
    return writer;
  }
}

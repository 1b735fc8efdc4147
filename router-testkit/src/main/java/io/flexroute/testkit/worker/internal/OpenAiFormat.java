package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/** The differences between the chat and the completions response shapes. */
interface OpenAiFormat {

  /** Returns the {@code object} of a complete response. */
  String object();

  /** Returns the {@code object} of a stream chunk. */
  String chunkObject();

  /** Returns the choice of a stream's opening chunk, or null if the format has none. */
  @Nullable ObjectNode openingChoice();

  /** Returns a stream choice carrying output tokens {@code [from, to)}. */
  ObjectNode deltaChoice(Generation generation, int from, int to, int logprobs);

  /** Returns the stream choice that carries the finish reason and no new text. */
  ObjectNode finishChoice(FinishReason finish);

  /** Returns the single choice of a complete response. */
  ObjectNode fullChoice(Generation generation, int produced, FinishReason finish, int logprobs);
}

package io.flexroute.testkit.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/** The API family of an endpoint, which decides the shape of its error bodies. */
enum Protocol {
  /** SGLang's native endpoints: {@code {"error":{"message":...}}}. */
  NATIVE,
  /** The OpenAI-compatible endpoints: {@code {"error":{"message","type","param","code"}}}. */
  OPENAI;

  ObjectNode error(int status, String message, @Nullable String param) {
    return this == NATIVE
        ? ErrorBodies.nativeError(message)
        : ErrorBodies.openAi(status, message, param);
  }
}

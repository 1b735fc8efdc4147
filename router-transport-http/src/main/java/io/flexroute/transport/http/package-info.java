/**
 * The HTTP transport: carries routed requests to SGLang, vLLM and OpenAI-compatible workers over
 * OkHttp, with pull-based SSE streaming. Start with {@link
 * io.flexroute.transport.http.HttpTransport#builder()}.
 */
@NullMarked
package io.flexroute.transport.http;

import org.jspecify.annotations.NullMarked;

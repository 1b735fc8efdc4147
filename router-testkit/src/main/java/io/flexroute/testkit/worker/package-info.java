/**
 * A fake inference worker: a real HTTP server on the loopback interface that speaks the SGLang
 * native API and the OpenAI-compatible API, with SSE streaming, programmable faults and request
 * recording. Start one with {@link io.flexroute.testkit.worker.FakeWorker#builder()}.
 */
@NullMarked
package io.flexroute.testkit.worker;

import org.jspecify.annotations.NullMarked;

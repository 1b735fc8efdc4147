/**
 * In-process fakes for unit-testing strategies, listeners and applications without any network:
 * {@link io.flexroute.testkit.fake.FakeTransport} (a transport whose every call can be completed,
 * failed, held or streamed by the test), {@link io.flexroute.testkit.fake.FakeWorkerView} and
 * {@link io.flexroute.testkit.fake.FakeRequestView} (inputs for calling a strategy directly), and
 * {@link io.flexroute.testkit.fake.RecordingRouterListener} (records router events for assertions).
 */
@NullMarked
package io.flexroute.testkit.fake;

import org.jspecify.annotations.NullMarked;

/**
 * Implementation of the fake worker: the HTTP dispatcher, the endpoints, the generation engine,
 * faults and bookkeeping. Not a supported API; it may change in any release.
 */
@NullMarked
package io.flexroute.testkit.worker.internal;

import org.jspecify.annotations.NullMarked;

package io.flexroute.spi;

import io.flexroute.RequestOutcome;
import io.flexroute.TokenUsage;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What happened to a request a strategy routed, reported once when the request ends.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param request the request as the strategy saw it
 * @param worker the worker it ran on
 * @param outcome how it ended
 * @param duration the time from dispatch to the end
 * @param timeToFirstChunk for streams that produced a chunk, the time to the first one
 * @param usage the token counts, if the worker reported them
 */
public record RequestFeedback(
    RequestView request,
    WorkerView worker,
    RequestOutcome outcome,
    Duration duration,
    @Nullable Duration timeToFirstChunk,
    @Nullable TokenUsage usage) {}

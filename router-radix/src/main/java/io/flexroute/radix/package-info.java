/**
 * A thread-safe radix prefix cache of the exact token ids, rollout logprobs, loss masks and weight
 * versions of RL rollout texts, so that a multi-turn rollout re-uses the tokens the model actually
 * generated instead of re-tokenising its own output. Start with {@link
 * io.flexroute.radix.RadixTokenCache#builder()}.
 */
@NullMarked
package io.flexroute.radix;

import org.jspecify.annotations.NullMarked;

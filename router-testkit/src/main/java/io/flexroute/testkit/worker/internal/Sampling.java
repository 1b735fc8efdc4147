package io.flexroute.testkit.worker.internal;

/**
 * The generation settings the fake worker honours, common to every endpoint.
 *
 * @param maxNewTokens the token limit
 * @param seed the sampling seed, 0 if the request gave none
 * @param ignoreEos whether to run to the limit
 */
record Sampling(int maxNewTokens, long seed, boolean ignoreEos) {}

package io.flexroute.testkit.worker.internal;

import io.flexroute.testkit.ToyTokenizer;

/**
 * Everything one worker's endpoints share: settings, mutable state, logs, faults, caches, the pause
 * gate and the programmed weight-update behaviour.
 */
final class WorkerContext {

  private final WorkerSettings settings;
  private final ToyTokenizer tokenizer;
  private final WorkerState state;
  private final RequestLog log;
  private final FaultBook faults = new FaultBook();
  private final InFlightRegistry flights = new InFlightRegistry();
  private final PrefixCache cache;
  private final OutputGenerator generator;
  private final PauseGate pause = new PauseGate();
  private final WeightUpdates weightUpdates = new WeightUpdates();

  WorkerContext(WorkerSettings settings, ToyTokenizer tokenizer) {
    this.settings = settings;
    this.tokenizer = tokenizer;
    this.state = new WorkerState(settings.weightVersion(), settings.modelPath());
    this.log = new RequestLog(settings.requestLogCapacity());
    this.cache = new PrefixCache(settings.prefixCacheCapacity());
    this.generator = new OutputGenerator(tokenizer);
  }

  WorkerSettings settings() {
    return settings;
  }

  ToyTokenizer tokenizer() {
    return tokenizer;
  }

  WorkerState state() {
    return state;
  }

  RequestLog log() {
    return log;
  }

  FaultBook faults() {
    return faults;
  }

  InFlightRegistry flights() {
    return flights;
  }

  PrefixCache cache() {
    return cache;
  }

  OutputGenerator generator() {
    return generator;
  }

  PauseGate pause() {
    return pause;
  }

  WeightUpdates weightUpdates() {
    return weightUpdates;
  }
}

package io.flexroute.core.strategy;

import io.flexroute.spi.WorkerView;
import java.util.List;

/**
 * The identity of a candidate list, as a map key: the router hands strategies one list instance
 * per eligible set (per model, role and version requirement) for as long as that set is unchanged,
 * so per-list state (a rotation, a weighted cycle) can be kept by identity without comparing
 * workers. Immutable.
 */
final class CandidateListKey {

  private final List<WorkerView> list;

  CandidateListKey(List<WorkerView> list) {
    this.list = list;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CandidateListKey k && k.list == list;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(list);
  }
}

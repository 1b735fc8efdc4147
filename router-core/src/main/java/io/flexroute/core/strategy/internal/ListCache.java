package io.flexroute.core.strategy.internal;

import io.flexroute.spi.WorkerView;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Data derived from a candidate list, cached by the list's identity: the router hands out one list
 * instance per eligible set, so the derived data is computed once per change of the set. The last
 * list seen is checked first without allocating; up to {@value #MAX_LISTS} lists are kept.
 *
 * <p>Thread-safe. Two threads may derive the same data at once; one result wins.
 *
 * @param <T> the derived data
 */
public final class ListCache<T> {

  /** Cached lists beyond this many are dropped and derived again on demand. */
  static final int MAX_LISTS = 64;

  private final Function<List<WorkerView>, T> derive;
  private final ConcurrentHashMap<IdentityKey, Slot<T>> slots = new ConcurrentHashMap<>();
  private volatile @Nullable Slot<T> last;

  /**
   * Creates the cache.
   *
   * @param derive computes the data of a list
   */
  public ListCache(Function<List<WorkerView>, T> derive) {
    this.derive = derive;
  }

  /**
   * The data of a list, derived on first sight.
   *
   * @param candidates the list
   * @return the data
   */
  public T get(List<WorkerView> candidates) {
    Slot<T> s = last;
    if (s != null && s.list == candidates) {
      return s.value;
    }
    IdentityKey key = new IdentityKey(candidates);
    s = slots.get(key);
    if (s == null) {
      if (slots.size() >= MAX_LISTS) {
        slots.clear();
      }
      s = new Slot<>(candidates, derive.apply(candidates));
      Slot<T> raced = slots.putIfAbsent(key, s);
      if (raced != null) {
        s = raced;
      }
    }
    last = s;
    return s.value;
  }

  private static final class Slot<T> {
    final List<WorkerView> list;
    final T value;

    Slot(List<WorkerView> list, T value) {
      this.list = list;
      this.value = value;
    }
  }
}

package io.flexroute.fleet;

import io.flexroute.spi.WorkerView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the workers a broadcast goes to: all of them, a list of ids, the workers of a model, or
 * any predicate over the workers' live views; selectors combine with {@link #and}.
 *
 * <pre>{@code
 * WorkerSelector.model("qwen3-8b").and(WorkerSelector.where(w -> w.worker().group().equals("a")))
 * }</pre>
 *
 * <p>The workers come in the router's order (the order they were added), except for {@link
 * #ids}, which keeps the order of its ids (a rolling update visits them in that order). Instances
 * are immutable and thread-safe if their predicates are.
 */
public final class WorkerSelector {

  private static final WorkerSelector ALL = new WorkerSelector(null, w -> true, "all");

  private final @Nullable List<String> ids;
  private final Predicate<WorkerView> filter;
  private final String description;

  private WorkerSelector(
      @Nullable List<String> ids, Predicate<WorkerView> filter, String description) {
    this.ids = ids;
    this.filter = filter;
    this.description = description;
  }

  /**
   * Every worker of the router.
   *
   * @return the selector
   */
  public static WorkerSelector all() {
    return ALL;
  }

  /**
   * The workers with these ids, in this order. Selecting fails with {@link
   * IllegalArgumentException} if the router has no worker with one of them.
   *
   * @param ids one or more worker ids
   * @return the selector
   * @throws IllegalArgumentException if no id is given, or an id is blank or repeated
   */
  public static WorkerSelector ids(String... ids) {
    Objects.requireNonNull(ids, "ids");
    return ids(java.util.Arrays.asList(ids));
  }

  /**
   * The workers with these ids, in this order; see {@link #ids(String...)}.
   *
   * @param ids one or more worker ids
   * @return the selector
   * @throws IllegalArgumentException if no id is given, or an id is blank or repeated
   */
  public static WorkerSelector ids(Collection<String> ids) {
    Objects.requireNonNull(ids, "ids");
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("ids must name at least one worker");
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String id : ids) {
      Objects.requireNonNull(id, "ids contains null");
      if (id.isBlank()) {
        throw new IllegalArgumentException("ids must not contain a blank id");
      }
      if (!seen.add(id)) {
        throw new IllegalArgumentException("ids contains '" + id + "' twice");
      }
    }
    List<String> copy = List.copyOf(seen);
    return new WorkerSelector(copy, w -> true, "ids" + copy);
  }

  /**
   * The workers that serve a model ({@link io.flexroute.Worker#serves(String)}: a worker that
   * declares no models serves every model).
   *
   * @param model the model name
   * @return the selector
   * @throws IllegalArgumentException if the name is blank
   */
  public static WorkerSelector model(String model) {
    Objects.requireNonNull(model, "model");
    if (model.isBlank()) {
      throw new IllegalArgumentException("model must not be blank");
    }
    return new WorkerSelector(null, w -> w.worker().serves(model), "model=" + model);
  }

  /**
   * The workers a predicate accepts. The predicate runs on the broadcasting thread, once per
   * worker, and must not throw.
   *
   * @param predicate the test
   * @return the selector
   */
  public static WorkerSelector where(Predicate<WorkerView> predicate) {
    Objects.requireNonNull(predicate, "predicate");
    return new WorkerSelector(null, predicate, "where(predicate)");
  }

  /**
   * The workers both selectors choose, in this selector's order.
   *
   * @param other the other selector
   * @return the combined selector
   * @throws IllegalArgumentException if both select by ids
   */
  public WorkerSelector and(WorkerSelector other) {
    Objects.requireNonNull(other, "other");
    if (ids != null && other.ids != null) {
      throw new IllegalArgumentException("at most one of two combined selectors may select by ids");
    }
    Predicate<WorkerView> a = filter;
    Predicate<WorkerView> b = other.filter;
    return new WorkerSelector(
        ids != null ? ids : other.ids,
        w -> a.test(w) && b.test(w),
        description + " and " + other.description);
  }

  /**
   * Applies the selector to the router's workers.
   *
   * @param workers the router's workers, in the router's order
   * @return the chosen workers, in the order described above
   * @throws IllegalArgumentException if an id selector names a worker that is not among them
   */
  public List<WorkerView> select(List<? extends WorkerView> workers) {
    Objects.requireNonNull(workers, "workers");
    List<WorkerView> out = new ArrayList<>();
    if (ids == null) {
      for (WorkerView w : workers) {
        if (filter.test(w)) {
          out.add(w);
        }
      }
      return List.copyOf(out);
    }
    Map<String, WorkerView> byId = new LinkedHashMap<>();
    for (WorkerView w : workers) {
      byId.put(w.id(), w);
    }
    List<String> unknown = new ArrayList<>();
    for (String id : ids) {
      WorkerView w = byId.get(id);
      if (w == null) {
        unknown.add(id);
      } else if (filter.test(w)) {
        out.add(w);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "selector names workers the router does not have: " + unknown + " (it has "
              + byId.keySet() + ")");
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return "WorkerSelector{" + description + "}";
  }
}

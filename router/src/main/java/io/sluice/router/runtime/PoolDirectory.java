package io.sluice.router.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every pool's runtime, found by the model names it serves.
 *
 * <p>Concurrency: copy-on-write. Readers (every request) take the current {@link Snapshot} from a
 * volatile field without locking; writers ({@link #put}, {@link #remove}: discovery) are
 * serialized on this object and publish a new snapshot built from the runtimes' current specs.
 */
public final class PoolDirectory {
  private record Snapshot(List<PoolRuntime> all, Map<String, PoolRuntime> byModel) {
    static Snapshot of(List<PoolRuntime> runtimes) {
      Map<String, PoolRuntime> byModel = new LinkedHashMap<>();
      for (PoolRuntime runtime : runtimes) {
        runtime.pool().spec().models().forEach(model -> byModel.putIfAbsent(model, runtime));
      }
      return new Snapshot(List.copyOf(runtimes), Map.copyOf(byModel));
    }
  }

  private volatile Snapshot snapshot;
  private final List<String> order = new ArrayList<>();

  public PoolDirectory(List<PoolRuntime> runtimes) {
    this.snapshot = Snapshot.of(runtimes);
    runtimes.forEach(runtime -> order.addAll(runtime.pool().spec().models()));
  }

  /** The runtime of the pool serving {@code model}, or null. */
  public PoolRuntime forModel(String model) {
    return snapshot.byModel().get(model);
  }

  /** The runtime of the pool named {@code name}, or null. */
  public PoolRuntime named(String name) {
    for (PoolRuntime runtime : snapshot.all()) {
      if (runtime.name().equals(name)) {
        return runtime;
      }
    }
    return null;
  }

  public Collection<PoolRuntime> all() {
    return snapshot.all();
  }

  /** Served model names: configuration order first, then in the order pools arrived. */
  public List<String> models() {
    Snapshot current = snapshot;
    List<String> models = new ArrayList<>();
    synchronized (this) {
      order.stream().filter(current.byModel()::containsKey).forEach(models::add);
    }
    return models;
  }

  /** Adds a runtime, or re-reads the models of one already here after its spec changed. */
  public synchronized void put(PoolRuntime runtime) {
    List<PoolRuntime> next = new ArrayList<>(snapshot.all());
    next.removeIf(existing -> existing.name().equals(runtime.name()));
    next.add(runtime);
    runtime.pool().spec().models().forEach(model -> {
      if (!order.contains(model)) {
        order.add(model);
      }
    });
    snapshot = Snapshot.of(next);
  }

  /** Removes the runtime named {@code name}; returns it, or null. */
  public synchronized PoolRuntime remove(String name) {
    PoolRuntime removed = named(name);
    if (removed != null) {
      List<PoolRuntime> next = new ArrayList<>(snapshot.all());
      next.remove(removed);
      snapshot = Snapshot.of(next);
    }
    return removed;
  }
}

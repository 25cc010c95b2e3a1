package io.sluice.router.runtime;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every pool's runtime, found by the model names it serves. */
public final class Runtimes {
  private final Map<String, PoolRuntime> byModel = new LinkedHashMap<>();
  private final List<PoolRuntime> all;

  public Runtimes(List<PoolRuntime> runtimes) {
    this.all = List.copyOf(runtimes);
    for (PoolRuntime runtime : runtimes) {
      runtime.pool().spec().models().forEach(model -> byModel.put(model, runtime));
    }
  }

  /** The runtime of the pool serving {@code model}, or null. */
  public PoolRuntime forModel(String model) {
    return byModel.get(model);
  }

  public Collection<PoolRuntime> all() {
    return all;
  }

  /** Served model names, in configuration order. */
  public List<String> models() {
    return List.copyOf(byModel.keySet());
  }
}

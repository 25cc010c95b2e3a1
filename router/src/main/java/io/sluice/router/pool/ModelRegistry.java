package io.sluice.router.pool;

import io.sluice.router.config.PoolConfig;
import io.sluice.router.config.SluiceConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Model name to pool, built from a validated configuration. */
public final class ModelRegistry {
  private final Map<String, Pool> byModel;
  private final List<Pool> pools;

  private ModelRegistry(Map<String, Pool> byModel, List<Pool> pools) {
    this.byModel = byModel;
    this.pools = pools;
  }

  public static ModelRegistry of(SluiceConfig config) {
    Map<String, Pool> byModel = new LinkedHashMap<>();
    List<Pool> pools = new ArrayList<>();
    for (PoolConfig poolConfig : config.pools()) {
      Pool pool = new Pool(poolConfig.name(), poolConfig.spec(),
          poolConfig.spec().endpoints().stream().map(Pod::fromUrl).toList());
      pools.add(pool);
      poolConfig.spec().models().forEach(model -> byModel.put(model, pool));
    }
    return new ModelRegistry(Collections.unmodifiableMap(byModel), List.copyOf(pools));
  }

  /** The pool serving {@code model}, or null. */
  public Pool poolFor(String model) {
    return byModel.get(model);
  }

  /** Every served model name, in configuration order. */
  public List<String> models() {
    return List.copyOf(byModel.keySet());
  }

  public List<Pool> pools() {
    return pools;
  }

  /** Pods known across all pools. */
  public int podCount() {
    return pools.stream().mapToInt(pool -> pool.pods().size()).sum();
  }
}

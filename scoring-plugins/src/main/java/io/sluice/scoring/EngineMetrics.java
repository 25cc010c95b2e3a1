package io.sluice.scoring;

import java.util.Set;

/**
 * What the engine last reported about itself (scraped from its metrics endpoint).
 *
 * @param known false when there is no fresh scrape; the other fields are then meaningless and
 *     plugins fall back to the router's own counters on {@link Endpoint}
 * @param running requests the engine is running
 * @param waiting requests waiting in the engine's own queue
 * @param kvCacheUsage fraction of the KV cache in use, 0..1
 * @param loadedAdapters LoRA adapters loaded on the engine, never null
 * @param prefixCacheHitRate fraction of prompt tokens served from the prefix cache, 0..1
 * @param ageMillis how old the scrape was when this snapshot was taken
 */
public record EngineMetrics(
    boolean known,
    int running,
    int waiting,
    double kvCacheUsage,
    Set<String> loadedAdapters,
    double prefixCacheHitRate,
    long ageMillis) {

  /** No fresh scrape. */
  public static final EngineMetrics UNKNOWN =
      new EngineMetrics(false, 0, 0, 0, Set.of(), 0, Long.MAX_VALUE);

  public EngineMetrics {
    loadedAdapters = loadedAdapters == null ? Set.of() : Set.copyOf(loadedAdapters);
  }

  /** Fresh metrics without adapters or prefix-cache figures. */
  public static EngineMetrics of(int running, int waiting, double kvCacheUsage) {
    return new EngineMetrics(true, running, waiting, kvCacheUsage, Set.of(), 0, 0);
  }
}

package io.sluice.router.runtime;

import java.util.Set;

/**
 * What one scrape of a pod's metrics page said, summed over the engine's data-parallel ranks.
 * Counters are cumulative; -1 marks a figure the engine did not export.
 *
 * @param running requests in the running batch
 * @param waiting requests waiting in the engine
 * @param kvCacheUsage KV-cache usage, 0 to 1
 * @param loadedAdapters LoRA adapters the engine has loaded (running or waiting)
 * @param prefixHitRate prefix-cache hits / queries (vLLM: over the engine's life; SGLang: its own
 *     gauge); -1 when not exported
 * @param preemptions preemptions, cumulative
 * @param kvCapacityTokens the KV cache's size in tokens
 * @param scrapedAtNanos when the scrape completed (the router's clock)
 */
public record EngineSample(int running, int waiting, double kvCacheUsage, Set<String> loadedAdapters,
    double prefixHitRate, double preemptions, long kvCapacityTokens, long scrapedAtNanos) {}

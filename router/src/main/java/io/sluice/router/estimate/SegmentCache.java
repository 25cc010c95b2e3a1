package io.sluice.router.estimate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Token counts of prompt pieces (in practice, rendered messages) by content hash, bounded in
 * entries. Multi-turn chats resend their history, so most of a prompt is found here and only the
 * new messages are tokenized. One cache belongs to one tokenizer: the same text counts
 * differently under another.
 */
public final class SegmentCache {
  /** Default bound: about 10 MB of keys and counts. */
  public static final long DEFAULT_MAX_ENTRIES = 100_000;

  private final Cache<ContentHash, Integer> counts;

  public SegmentCache(long maxEntries) {
    // Maintenance (eviction) on the counting thread, not the common pool: it is tiny, and it keeps
    // the bound deterministic.
    this.counts = Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).recordStats().build();
  }

  public static SegmentCache defaults() {
    return new SegmentCache(DEFAULT_MAX_ENTRIES);
  }

  /** The cached count, or -1. */
  int get(ContentHash key) {
    Integer count = counts.getIfPresent(key);
    return count == null ? -1 : count;
  }

  void put(ContentHash key, int count) {
    counts.put(key, count);
  }

  /** Share of lookups that found a count, for metrics. */
  public double hitRate() {
    return counts.stats().hitRate();
  }

  public long size() {
    counts.cleanUp();
    return counts.estimatedSize();
  }

  /** Forgets every count (benchmarks measure cold estimates with it). */
  public void clear() {
    counts.invalidateAll();
  }
}

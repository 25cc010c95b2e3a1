package io.sluice.router.estimate;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A quantile of the last {@code capacity} values seen from many sources, where no one source may
 * hold more than {@code maxPerSource} of them: a source at its share replaces its own oldest value
 * instead of the window's oldest. One client sending a thousand requests cannot make the pool's
 * estimate its own; a single source still sees the window follow it (over its share of values).
 * A null source is trusted (the offline simulator) and not capped.
 *
 * <p>Memory: the sorted values, the arrival order of sources, and a queue per source of its values;
 * all bounded by {@code capacity}. Recording costs a binary search and array copy of at most
 * {@code capacity} ints, plus, when a capped source replaces its own value, a scan of the arrival
 * order; reading is one volatile read.
 */
final class SharedQuantile {
  /* Concurrency: record() holds the monitor while it updates the structures and then publishes the
   * new quantile with a volatile write; readers take only that snapshot, so reads never lock. */

  private static final String TRUSTED = "\0trusted";

  private final double quantile;
  private final int capacity;
  private final int maxPerSource;
  private final SortedInts sorted;
  /** Sources in arrival order, one entry per value held. */
  private final ArrayDeque<String> arrivals;
  private final Map<String, ArrayDeque<Integer>> bySource = new HashMap<>();
  private volatile SlidingQuantile.Snapshot snapshot = new SlidingQuantile.Snapshot(0, 0);

  SharedQuantile(double quantile, int capacity, int maxPerSource) {
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1): " + quantile);
    }
    if (capacity < 1 || maxPerSource < 1) {
      throw new IllegalArgumentException("capacity and share must be at least 1: " + capacity + ", " + maxPerSource);
    }
    this.quantile = quantile;
    this.capacity = capacity;
    this.maxPerSource = Math.min(maxPerSource, capacity);
    this.sorted = new SortedInts(capacity);
    this.arrivals = new ArrayDeque<>(capacity);
  }

  synchronized void record(String source, int value) {
    String key = source == null ? TRUSTED : source;
    ArrayDeque<Integer> own = bySource.get(key);
    if (source != null && own != null && own.size() >= maxPerSource) {
      sorted.remove(own.pollFirst());
      arrivals.removeFirstOccurrence(key);
    } else if (sorted.size() == capacity) {
      String oldest = arrivals.pollFirst();
      ArrayDeque<Integer> theirs = bySource.get(oldest);
      sorted.remove(theirs.pollFirst());
      if (theirs.isEmpty()) {
        bySource.remove(oldest);
      }
    }
    if (own == null || !bySource.containsKey(key)) {
      own = bySource.computeIfAbsent(key, k -> new ArrayDeque<>());
    }
    own.addLast(value);
    arrivals.addLast(key);
    sorted.insert(value);
    snapshot = sorted.quantile(quantile);
  }

  SlidingQuantile.Snapshot snapshot() {
    return snapshot;
  }

  /** Values held for {@code source} (null: the trusted source), for tests. */
  synchronized int heldFor(String source) {
    ArrayDeque<Integer> own = bySource.get(source == null ? TRUSTED : source);
    return own == null ? 0 : own.size();
  }
}

package io.sluice.router.estimate;

/**
 * A quantile of the last {@code capacity} values seen: a ring buffer of arrival order beside the
 * same values kept sorted. Recording moves at most {@code capacity} ints (one evicted, one
 * inserted, by binary search and array copy); reading is one volatile read.
 *
 * <p>Memory is two int arrays of {@code capacity}, allocated once.
 */
final class SlidingQuantile {
  /* Concurrency: record() holds the monitor while it updates ring, sorted and count and then
   * publishes the new quantile with a volatile write; readers take only that volatile
   * (quantile, samples) snapshot, so the read path never locks. */

  private final double quantile;
  private final int[] ring;
  private final SortedInts sorted;
  private int next;
  private volatile Snapshot snapshot = new Snapshot(0, 0);

  /** The quantile and the number of values it was taken over. */
  record Snapshot(int value, int samples) {}

  SlidingQuantile(double quantile, int capacity) {
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1): " + quantile);
    }
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.quantile = quantile;
    this.ring = new int[capacity];
    this.sorted = new SortedInts(capacity);
  }

  synchronized void record(int value) {
    if (sorted.size() == ring.length) {
      sorted.remove(ring[next]);
    }
    sorted.insert(value);
    ring[next] = value;
    next = (next + 1) % ring.length;
    snapshot = sorted.quantile(quantile);
  }

  Snapshot snapshot() {
    return snapshot;
  }
}

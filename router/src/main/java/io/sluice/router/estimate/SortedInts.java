package io.sluice.router.estimate;

import java.util.Arrays;

/**
 * A multiset of ints kept sorted in one array of fixed capacity, for the quantile windows: insert
 * and remove by binary search and array copy, a quantile by index. Not thread-safe; its owner
 * guards it.
 */
final class SortedInts {
  private final int[] values;
  private int count;

  SortedInts(int capacity) {
    this.values = new int[capacity];
  }

  void insert(int value) {
    int at = Arrays.binarySearch(values, 0, count, value);
    if (at < 0) {
      at = -at - 1;
    }
    System.arraycopy(values, at, values, at + 1, count - at);
    values[at] = value;
    count++;
  }

  void remove(int value) {
    int at = Arrays.binarySearch(values, 0, count, value);
    if (at < 0) {
      throw new IllegalStateException("evicted value " + value + " is not in the window");
    }
    System.arraycopy(values, at + 1, values, at, count - at - 1);
    count--;
  }

  int size() {
    return count;
  }

  /** Nearest rank: the smallest value with at least {@code quantile} of the values at or below it. */
  SlidingQuantile.Snapshot quantile(double quantile) {
    return new SlidingQuantile.Snapshot(values[Math.max(0, (int) Math.ceil(quantile * count) - 1)], count);
  }
}

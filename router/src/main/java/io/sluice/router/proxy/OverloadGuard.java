package io.sluice.router.proxy;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Keeps request bodies from exhausting the heap, the way Envoy's overload manager does: the bytes
 * of bodies held at once (from the first byte read until the request ends, since a held body is
 * also parsed and may be sent again on a retry) stay within {@code maxBufferedBodyBytes}, and no
 * new body is read while the heap in use after the last collection is above
 * {@code maxHeapUsage}. A refused request gets 503 before its body is read, so refusing costs
 * nothing.
 *
 * <p>Concurrency: the byte count is a lock-free compare-and-set; the heap figure is re-read at most
 * every {@link #HEAP_CHECK_NANOS} by whichever caller finds it stale, and published in a volatile.
 */
public final class OverloadGuard {
  static final long HEAP_CHECK_NANOS = 50_000_000;

  private final long maxBytes;
  private final double maxHeapUsage;
  private final DoubleSupplier heapUsage;
  private final LongSupplier clock;
  private final AtomicLong held = new AtomicLong();
  private volatile long heapCheckedAt;
  private volatile boolean heapPressed;

  /**
   * @param maxBytes body bytes that may be held at once
   * @param maxHeapUsage share of the heap in use after a collection above which bodies are refused
   * @param heapUsage that share now, in [0, 1] (NaN when unknown: never pressed)
   * @param clock nanoseconds
   */
  public OverloadGuard(long maxBytes, double maxHeapUsage, DoubleSupplier heapUsage, LongSupplier clock) {
    this.maxBytes = maxBytes;
    this.maxHeapUsage = maxHeapUsage;
    this.heapUsage = heapUsage;
    this.clock = clock;
    this.heapCheckedAt = clock.getAsLong() - HEAP_CHECK_NANOS;
  }

  /** With the JVM's own heap figures. */
  public static OverloadGuard forThisJvm(long maxBytes, double maxHeapUsage) {
    return new OverloadGuard(maxBytes, maxHeapUsage, OverloadGuard::heapUsedAfterLastCollection, System::nanoTime);
  }

  /** Takes {@code bytes} more of the budget; false (nothing taken) when they do not fit. */
  public boolean tryHold(long bytes) {
    for (long current = held.get(); current + bytes <= maxBytes; current = held.get()) {
      if (held.compareAndSet(current, current + bytes)) {
        return true;
      }
    }
    return false;
  }

  /** Gives back bytes taken with {@link #tryHold}. */
  public void release(long bytes) {
    long after = held.addAndGet(-bytes);
    if (after < 0) {
      throw new IllegalStateException("released more body bytes than were held: " + after);
    }
  }

  /** Whether the heap is too full to read another body. */
  public boolean heapPressed() {
    long now = clock.getAsLong();
    if (now - heapCheckedAt >= HEAP_CHECK_NANOS) {
      heapCheckedAt = now;
      double usage = heapUsage.getAsDouble();
      heapPressed = usage > maxHeapUsage; // false for NaN
    }
    return heapPressed;
  }

  /** Body bytes held now. */
  public long heldBytes() {
    return held.get();
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The heap in use after the last garbage collection, as a share of the maximum heap: the live
   * data, not the garbage waiting to be collected. NaN when the collector reports no such figure.
   */
  static double heapUsedAfterLastCollection() {
    long used = 0;
    boolean known = false;
    List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
    for (MemoryPoolMXBean pool : pools) {
      if (pool.getType() != MemoryType.HEAP || !pool.isCollectionUsageThresholdSupported()) {
        continue;
      }
      MemoryUsage after = pool.getCollectionUsage();
      if (after != null) {
        used += after.getUsed();
        known = true;
      }
    }
    long max = Runtime.getRuntime().maxMemory();
    return known && max > 0 && max != Long.MAX_VALUE ? (double) used / max : Double.NaN;
  }
}

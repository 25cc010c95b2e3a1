package io.sluice.router.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A pool-wide bound on retries, Envoy's retry budget: requests being retried on another pod or
 * requeued after a pod's 429 / 503 may be at most {@code percent} of the pool's active requests, or
 * {@code minConcurrent}, whichever is more. Without it a pod that fails instantly turns every
 * request into several attempts, and the retries themselves become the load.
 *
 * <p>A request takes one unit the first time it is retried and gives it back when it ends, however
 * many times it is retried in between.
 *
 * <p>Concurrency: a lock-free compare-and-set on the count.
 */
public final class RetryBudget {
  private final AtomicInteger retrying = new AtomicInteger();
  private final IntSupplier active;
  private volatile int percent;
  private volatile int minConcurrent;

  /** @param active the pool's active requests (in flight and queued) */
  public RetryBudget(int percent, int minConcurrent, IntSupplier active) {
    this.active = active;
    set(percent, minConcurrent);
  }

  /** New bounds; requests already retrying keep their units. */
  public void set(int percent, int minConcurrent) {
    this.percent = percent;
    this.minConcurrent = minConcurrent;
  }

  /** Takes a unit; false when the budget is spent (the failed answer then goes to the client). */
  public boolean tryAcquire() {
    int limit = Math.max(minConcurrent, (int) ((long) active.getAsInt() * percent / 100));
    for (int current = retrying.get(); current < limit; current = retrying.get()) {
      if (retrying.compareAndSet(current, current + 1)) {
        return true;
      }
    }
    return false;
  }

  /** Gives back a unit taken with {@link #tryAcquire}. */
  public void release() {
    if (retrying.decrementAndGet() < 0) {
      throw new IllegalStateException("retry budget released more often than taken");
    }
  }

  /** Requests retrying now. */
  public int retrying() {
    return retrying.get();
  }
}

package io.sluice.router.admission;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Tokens released per second, smoothed over the last few seconds, to tell a refused client when
 * the queue will likely have room (Retry-After).
 *
 * <p>Concurrency: releases add to an atomic counter; whoever first sees a full second elapsed folds
 * it into the average under a compare-and-set of the window start, so exactly one thread folds.
 */
final class DrainRate {
  private static final long WINDOW = TimeUnit.SECONDS.toNanos(1);
  private static final double WEIGHT = 0.3;
  private static final double MEAN_WEIGHT = 0.01;

  private final LongSupplier clock;
  private final AtomicLong windowStart;
  private final AtomicLong windowTokens = new AtomicLong();
  private volatile double tokensPerSecond;
  /** Tokens per released reservation, smoothed over the last hundred or so (races lose an update, no more). */
  private volatile double meanTokens;

  DrainRate(LongSupplier clock) {
    this.clock = clock;
    this.windowStart = new AtomicLong(clock.getAsLong());
  }

  void released(long tokens) {
    windowTokens.addAndGet(tokens);
    double mean = meanTokens;
    meanTokens = mean == 0 ? tokens : mean + MEAN_WEIGHT * (tokens - mean);
    fold();
  }

  /** The mean size of recently released reservations; 0 before the first. */
  double meanTokens() {
    return meanTokens;
  }

  private void fold() {
    long start = windowStart.get();
    long now = clock.getAsLong();
    long elapsed = now - start;
    if (elapsed >= WINDOW && windowStart.compareAndSet(start, now)) {
      double rate = windowTokens.getAndSet(0) * (double) TimeUnit.SECONDS.toNanos(1) / elapsed;
      tokensPerSecond = tokensPerSecond == 0 ? rate : WEIGHT * rate + (1 - WEIGHT) * tokensPerSecond;
    }
  }

  double tokensPerSecond() {
    fold();
    return tokensPerSecond;
  }

  /** Seconds until {@code queuedTokens} have likely drained, between 1 and 60. */
  long retryAfterSeconds(long queuedTokens) {
    double rate = tokensPerSecond();
    if (rate <= 0) {
      return 5;
    }
    return Math.max(1, Math.min(60, (long) Math.ceil(queuedTokens / rate)));
  }
}

package io.sluice.router.proxy;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Debug lines about what clients did wrong (undecodable requests, resets), at most one per
 * interval: a client can send thousands of broken requests a second, and each must not cost a log
 * line. The line that is written says how many were left out since the last one.
 *
 * <p>Concurrency: any thread; the interval is claimed with a compare-and-set, so one caller writes.
 */
final class RateLimitedLog {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  RateLimitedLog(Logger log, long intervalMillis) {
    this.log = log;
    this.intervalNanos = intervalMillis * 1_000_000;
  }

  void debug(String format, Object first, Object second) {
    if (!log.isDebugEnabled()) {
      return;
    }
    long now = System.nanoTime();
    long due = nextAt.get();
    if ((due != Long.MIN_VALUE && now - due < 0) || !nextAt.compareAndSet(due, now + intervalNanos)) {
      suppressed.incrementAndGet();
      return;
    }
    long left = suppressed.getAndSet(0);
    log.debug(format + (left > 0 ? " (" + left + " more like it not logged)" : ""), first, second);
  }
}

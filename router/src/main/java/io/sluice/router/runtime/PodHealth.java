package io.sluice.router.runtime;

/**
 * Passive outlier detection for one pod: a run of failures (refused connections, resets before
 * an answer, 5xx answers) ejects the pod for a while; each further ejection doubles the time, up
 * to a maximum; a success ends the run and, after an ejection has passed, resets the doubling.
 *
 * <p>Concurrency: called from every event loop; each method is short and synchronized.
 */
public final class PodHealth {
  private final int threshold;
  private final long baseEjectionNanos;
  private final long maxEjectionNanos;
  private int consecutiveFailures;
  private int ejections;
  private long ejectedUntil;
  private boolean ejected;

  public PodHealth(int threshold, long baseEjectionNanos, long maxEjectionNanos) {
    this.threshold = threshold;
    this.baseEjectionNanos = baseEjectionNanos;
    this.maxEjectionNanos = maxEjectionNanos;
  }

  /** Records a failure; true when it ejects the pod. */
  public synchronized boolean failed(long now) {
    consecutiveFailures++;
    if (ejected || consecutiveFailures < threshold) {
      return false;
    }
    long duration = Math.min(maxEjectionNanos, baseEjectionNanos << Math.min(20, ejections));
    ejections++;
    ejected = true;
    ejectedUntil = now + duration;
    consecutiveFailures = 0;
    return true;
  }

  public synchronized void succeeded() {
    consecutiveFailures = 0;
    if (!ejected) {
      ejections = 0;
    }
  }

  /** True when an ejection has just run out at {@code now}; the pod may take traffic again. */
  public synchronized boolean reinstateIfDue(long now) {
    if (ejected && now - ejectedUntil >= 0) {
      ejected = false;
      return true;
    }
    return false;
  }

  public synchronized boolean ejected() {
    return ejected;
  }
}

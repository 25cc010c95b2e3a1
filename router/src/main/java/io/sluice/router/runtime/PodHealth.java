package io.sluice.router.runtime;

/**
 * Passive outlier detection for one pod, as Envoy's outlier detection does it: a pod is due for
 * ejection after a run of failures in a row (refused connections, resets before an answer, 5xx
 * answers, 503 included), or when at least {@link #WINDOW}/2 of its last {@link #WINDOW} answers
 * are known and the share of failures among them reaches {@code maxFailureRatio} (a pod that fails
 * every other request never makes a run). The caller decides whether the ejection happens (a pool
 * keeps some pods in rotation); an ejection lasts a while, doubling with each further one up to a
 * maximum; a success ends the run and, after an ejection has passed, resets the doubling.
 *
 * <p>A pod back from an ejection is on probation (a circuit breaker's half-open state): it takes
 * one request at a time, and a single failure makes it due for ejection again, instead of a new run
 * of {@code threshold} failures that clients would see; its first success ends the probation.
 *
 * <p>Concurrency: called from every event loop; each method is short and synchronized.
 */
public final class PodHealth {
  /** How many of the latest answers the failure ratio is taken over. */
  public static final int WINDOW = 20;

  private final int threshold;
  private final double maxFailureRatio;
  private final long baseEjectionNanos;
  private final long maxEjectionNanos;
  private int consecutiveFailures;
  private int ejections;
  private long ejectedUntil;
  private boolean ejected;
  private boolean probation;
  /** The latest answers, true for a failure; {@code recorded} of them are valid. */
  private final boolean[] recent = new boolean[WINDOW];
  private int next;
  private int recorded;
  private int failuresInWindow;

  public PodHealth(int threshold, long baseEjectionNanos, long maxEjectionNanos) {
    this(threshold, 1.0, baseEjectionNanos, maxEjectionNanos);
  }

  /**
   * @param threshold failures in a row that make the pod due for ejection
   * @param maxFailureRatio share of failures among the latest answers that does too (above 1: never)
   */
  public PodHealth(int threshold, double maxFailureRatio, long baseEjectionNanos, long maxEjectionNanos) {
    this.threshold = threshold;
    this.maxFailureRatio = maxFailureRatio;
    this.baseEjectionNanos = baseEjectionNanos;
    this.maxEjectionNanos = maxEjectionNanos;
  }

  /** Records a failure; true when the pod is now due for ejection (call {@link #eject}). */
  public synchronized boolean failed(long now) {
    consecutiveFailures++;
    record(true);
    return !ejected && (probation || consecutiveFailures >= threshold
        || recorded >= WINDOW / 2 && failuresInWindow >= maxFailureRatio * recorded);
  }

  /** Takes the pod out of rotation from {@code now}; the run and the window start over. */
  public synchronized void eject(long now) {
    if (ejected) {
      return;
    }
    long duration = Math.min(maxEjectionNanos, baseEjectionNanos << Math.min(20, ejections));
    ejections++;
    ejected = true;
    probation = false;
    ejectedUntil = now + duration;
    consecutiveFailures = 0;
    recorded = 0;
    failuresInWindow = 0;
    next = 0;
  }

  /** Records a success; true when it ended a probation (the pod may take any number of requests again). */
  public synchronized boolean succeeded() {
    consecutiveFailures = 0;
    record(false);
    if (!ejected) {
      ejections = 0;
    }
    boolean ended = probation;
    probation = false;
    return ended;
  }

  private void record(boolean failure) {
    if (recorded == WINDOW) {
      if (recent[next]) {
        failuresInWindow--;
      }
    } else {
      recorded++;
    }
    recent[next] = failure;
    if (failure) {
      failuresInWindow++;
    }
    next = (next + 1) % WINDOW;
  }

  /**
   * True when an ejection has just run out at {@code now}: the pod may take traffic again, on
   * probation (one request at a time) until its first success.
   */
  public synchronized boolean reinstateIfDue(long now) {
    if (ejected && now - ejectedUntil >= 0) {
      ejected = false;
      probation = true;
      return true;
    }
    return false;
  }

  public synchronized boolean onProbation() {
    return probation;
  }

  public synchronized boolean ejected() {
    return ejected;
  }
}

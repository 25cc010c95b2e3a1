package io.sluice.router.admission;

import java.util.Locale;

/** How an admission attempt ended, for metrics. */
public enum Outcome {
  ADMITTED,
  QUEUED,
  ADMITTED_FROM_QUEUE,
  REJECTED_FULL,
  REJECTED_TOO_LARGE,
  REJECTED_NO_PODS,
  /** Predicted to miss its class's time-to-first-token objective, and refused at once. */
  REJECTED_SLO,
  TIMED_OUT,
  CANCELLED,
  /** Observe mode: enforcement would have queued this request. */
  WOULD_QUEUE,
  /**
   * Predicted to miss its time-to-first-token objective and queued anyway ({@code onMiss: serve});
   * counted besides {@link #QUEUED}. With {@code onMiss: reject} these would be {@link #REJECTED_SLO}.
   */
  WOULD_MISS;

  /** The metric label, e.g. {@code rejected_full}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

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
  TIMED_OUT,
  CANCELLED,
  /** Observe mode: enforcement would have queued this request. */
  WOULD_QUEUE;

  /** The metric label, e.g. {@code rejected_full}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

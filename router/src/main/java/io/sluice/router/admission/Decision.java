package io.sluice.router.admission;

/**
 * The immediate answer to {@link AdmissionController#admit}: admitted now, queued (the callback will
 * tell), or refused.
 */
public sealed interface Decision {
  /** Budget reserved at once; the caller owns the reservation. */
  record Admitted(Reservation reservation) implements Decision {}

  /**
   * Waiting; the callback is called later unless the waiter is cancelled first. {@code
   * predictedWaitNanos}: its predicted time to first token, queue wait plus prefill (0 without an
   * objective, or when the drain rate is not known yet).
   */
  record Queued(Waiter waiter, long predictedWaitNanos) implements Decision {}

  /** The queue is full (by length or tokens); retry after the given seconds. */
  record QueueFull(long retryAfterSeconds, String limit) implements Decision {}

  /** Larger than any pod's whole budget: it can never be admitted. */
  record TooLarge(long tokens, long largestBudget) implements Decision {}

  /**
   * Predicted to miss its time-to-first-token objective (its class refuses such requests at once):
   * the time to first token predicted (queue wait plus prefill), and when to retry.
   */
  record Unattainable(long predictedWaitNanos, long retryAfterSeconds) implements Decision {}

  /** The pool has no pod that accepts requests. */
  record NoPods() implements Decision {}
}

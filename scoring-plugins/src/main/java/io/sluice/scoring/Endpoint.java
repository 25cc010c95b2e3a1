package io.sluice.scoring;

/**
 * A read-only snapshot of one pod as the router sees it when a request is scored. Implementations
 * may read live counters; plugins must not assume two calls return the same value.
 */
public interface Endpoint {
  /** Stable identity of the pod (its name), used as the key of plugin state. */
  String id();

  /** Tokens that may be reserved on the pod; 0 while unknown (nothing fits). */
  long budgetTokens();

  /** Tokens reserved by requests in flight; may exceed the budget after a shrink. */
  long reservedTokens();

  /** Requests this router has in flight on the pod. */
  int inFlightRequests();

  /** Tokens of the requests this router has in flight on the pod. */
  long inFlightTokens();

  /**
   * Prompt tokens this router has sent to the pod whose first output token has not come back yet:
   * the prefill work queued or running on it. 0 when the router does not track it.
   */
  default long pendingPrefillTokens() {
    return 0;
  }

  /** The engine's own view of its load; never null, {@link EngineMetrics#UNKNOWN} when stale. */
  EngineMetrics metrics();
}

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

  /** The engine's own view of its load; never null, {@link EngineMetrics#UNKNOWN} when stale. */
  EngineMetrics metrics();
}

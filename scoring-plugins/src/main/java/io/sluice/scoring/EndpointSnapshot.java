package io.sluice.scoring;

/** A plain immutable {@link Endpoint}, for tests, benchmarks and the offline simulator. */
public record EndpointSnapshot(
    String id,
    long budgetTokens,
    long reservedTokens,
    int inFlightRequests,
    long inFlightTokens,
    EngineMetrics metrics,
    long pendingPrefillTokens)
    implements Endpoint {

  public EndpointSnapshot {
    metrics = metrics == null ? EngineMetrics.UNKNOWN : metrics;
  }

  public EndpointSnapshot(String id, long budgetTokens, long reservedTokens, int inFlightRequests,
      long inFlightTokens, EngineMetrics metrics) {
    this(id, budgetTokens, reservedTokens, inFlightRequests, inFlightTokens, metrics, 0);
  }

  /** A pod with a budget and reservations, nothing in flight, no engine metrics. */
  public static EndpointSnapshot of(String id, long budgetTokens, long reservedTokens) {
    return new EndpointSnapshot(id, budgetTokens, reservedTokens, 0, 0, EngineMetrics.UNKNOWN);
  }

  /** This snapshot with other engine metrics. */
  public EndpointSnapshot withMetrics(EngineMetrics newMetrics) {
    return new EndpointSnapshot(
        id, budgetTokens, reservedTokens, inFlightRequests, inFlightTokens, newMetrics, pendingPrefillTokens);
  }

  /** This snapshot with other in-flight counts. */
  public EndpointSnapshot withInFlight(int requests, long tokens) {
    return new EndpointSnapshot(id, budgetTokens, reservedTokens, requests, tokens, metrics, pendingPrefillTokens);
  }

  /** This snapshot with another count of prompt tokens waiting for their first token. */
  public EndpointSnapshot withPendingPrefill(long tokens) {
    return new EndpointSnapshot(id, budgetTokens, reservedTokens, inFlightRequests, inFlightTokens, metrics, tokens);
  }
}

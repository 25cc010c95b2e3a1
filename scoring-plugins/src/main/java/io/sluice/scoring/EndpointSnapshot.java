package io.sluice.scoring;

/** A plain immutable {@link Endpoint}, for tests, benchmarks and the offline simulator. */
public record EndpointSnapshot(
    String id,
    long budgetTokens,
    long reservedTokens,
    int inFlightRequests,
    long inFlightTokens,
    EngineMetrics metrics)
    implements Endpoint {

  public EndpointSnapshot {
    metrics = metrics == null ? EngineMetrics.UNKNOWN : metrics;
  }

  /** A pod with a budget and reservations, nothing in flight, no engine metrics. */
  public static EndpointSnapshot of(String id, long budgetTokens, long reservedTokens) {
    return new EndpointSnapshot(id, budgetTokens, reservedTokens, 0, 0, EngineMetrics.UNKNOWN);
  }

  /** This snapshot with other engine metrics. */
  public EndpointSnapshot withMetrics(EngineMetrics newMetrics) {
    return new EndpointSnapshot(
        id, budgetTokens, reservedTokens, inFlightRequests, inFlightTokens, newMetrics);
  }

  /** This snapshot with other in-flight counts. */
  public EndpointSnapshot withInFlight(int requests, long tokens) {
    return new EndpointSnapshot(id, budgetTokens, reservedTokens, requests, tokens, metrics);
  }
}

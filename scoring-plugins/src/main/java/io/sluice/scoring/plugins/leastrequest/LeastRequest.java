package io.sluice.scoring.plugins.leastrequest;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.EngineMetrics;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.Scorer;
import java.util.List;

/**
 * kthena-router's least-request formula, for comparison and migration: {@code load = running +
 * 100 x waiting} from the engine (the router's in-flight requests when the engine's metrics are
 * unknown), then {@code score = (maxLoad - load) / maxLoad} across the candidates, 1 for all when
 * every load is 0.
 */
public final class LeastRequest implements Scorer {
  public static final String TYPE = "least-request";
  static final int WAITING_WEIGHT = 100;

  static double load(Endpoint endpoint) {
    EngineMetrics m = endpoint.metrics();
    return m.known()
        ? m.running() + (double) WAITING_WEIGHT * m.waiting()
        : endpoint.inFlightRequests();
  }

  @Override
  public double score(ScoringRequest request, Endpoint endpoint) {
    return load(endpoint) > 0 ? 0 : 1;
  }

  @Override
  public void scoreAll(ScoringRequest request, List<Endpoint> candidates, double[] out) {
    int n = candidates.size();
    double max = 0;
    for (int i = 0; i < n; i++) {
      out[i] = load(candidates.get(i));
      max = Math.max(max, out[i]);
    }
    for (int i = 0; i < n; i++) {
      out[i] = max > 0 ? (max - out[i]) / max : 1;
    }
  }
}

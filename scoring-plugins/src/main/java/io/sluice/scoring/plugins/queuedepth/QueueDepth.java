package io.sluice.scoring.plugins.queuedepth;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.Scorer;
import java.util.List;

/**
 * Prefers pods whose engine queue is short: {@code q = waiting} from the engine (the router's
 * in-flight requests when the engine's metrics are unknown), min-max normalised across the
 * candidates, {@code score = (maxQ - q) / (maxQ - minQ)}, 1 for all when every queue is equal.
 */
public final class QueueDepth implements Scorer {
  public static final String TYPE = "queue-depth";

  static int depth(Endpoint endpoint) {
    return endpoint.metrics().known()
        ? endpoint.metrics().waiting()
        : endpoint.inFlightRequests();
  }

  @Override
  public double score(ScoringRequest request, Endpoint endpoint) {
    return 1;
  }

  @Override
  public void scoreAll(ScoringRequest request, List<Endpoint> candidates, double[] out) {
    int n = candidates.size();
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      int q = depth(candidates.get(i));
      out[i] = q;
      min = Math.min(min, q);
      max = Math.max(max, q);
    }
    double range = (double) max - min;
    for (int i = 0; i < n; i++) {
      out[i] = range > 0 ? (max - out[i]) / range : 1;
    }
  }
}

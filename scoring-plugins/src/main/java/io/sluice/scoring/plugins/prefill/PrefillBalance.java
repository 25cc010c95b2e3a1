package io.sluice.scoring.plugins.prefill;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.Scorer;
import java.util.List;

/**
 * Prefers pods with the least prefill pending: prompt tokens the router has sent whose first token
 * has not come back ({@link Endpoint#pendingPrefillTokens()}), counted in tokens, not requests, so
 * one long prompt weighs what it costs the GPU. {@code score = (maxP - p) / maxP} across the
 * candidates, 1 for all when nothing is pending. A new request's time to first token is the
 * prefill queued ahead of it on the pod plus its own; this spreads that queue across pods.
 */
public final class PrefillBalance implements Scorer {
  public static final String TYPE = "prefill-balance";

  @Override
  public double score(ScoringRequest request, Endpoint endpoint) {
    return endpoint.pendingPrefillTokens() > 0 ? 0 : 1;
  }

  @Override
  public void scoreAll(ScoringRequest request, List<Endpoint> candidates, double[] out) {
    int n = candidates.size();
    double max = 0;
    for (int i = 0; i < n; i++) {
      out[i] = Math.max(0, candidates.get(i).pendingPrefillTokens());
      max = Math.max(max, out[i]);
    }
    for (int i = 0; i < n; i++) {
      out[i] = max > 0 ? (max - out[i]) / max : 1;
    }
  }
}

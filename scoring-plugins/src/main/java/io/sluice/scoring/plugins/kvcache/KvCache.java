package io.sluice.scoring.plugins.kvcache;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.Scorer;

/**
 * Prefers pods with free KV cache: {@code 1 - kvCacheUsage} from the engine; when its metrics are
 * unknown, {@code 1 - reserved / budget} from the router's own books (0 for a pod with no budget).
 */
public final class KvCache implements Scorer {
  public static final String TYPE = "kv-cache";

  @Override
  public double score(ScoringRequest request, Endpoint endpoint) {
    if (endpoint.metrics().known()) {
      return 1 - endpoint.metrics().kvCacheUsage();
    }
    long budget = endpoint.budgetTokens();
    return budget <= 0 ? 0 : 1 - (double) endpoint.reservedTokens() / budget;
  }
}

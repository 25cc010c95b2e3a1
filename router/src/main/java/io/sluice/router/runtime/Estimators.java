package io.sluice.router.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.crd.BudgetSpec;
import io.sluice.router.api.InferenceRequest;
import io.sluice.router.config.PoolConfig;
import io.sluice.router.estimate.CostEstimate;
import java.util.concurrent.CompletableFuture;

/** Builds each pool's estimator from its configuration. */
public final class Estimators {
  private Estimators() {}

  public static Estimator forPool(PoolConfig pool) {
    BudgetSpec budget = pool.spec().budget();
    return new Estimator() {
      @Override
      public CompletableFuture<CostEstimate> estimate(InferenceRequest request, String tenant) {
        long prompt = (codePoints(request.body()) + 3) / 4;
        JsonNode max = request.body().has("max_completion_tokens")
            ? request.body().get("max_completion_tokens") : request.body().get("max_tokens");
        boolean bounded = max != null && max.isIntegralNumber();
        long output = bounded ? Math.min(max.asLong(), budget.defaultOutputTokens()) : budget.defaultOutputTokens();
        long raw = (long) Math.ceil((prompt + output) * budget.safetyFactor());
        long clamped = Math.max(budget.minReservationTokens(), Math.min(budget.maxReservationTokens(), raw));
        long block = budget.blockSize();
        return CompletableFuture.completedFuture(new CostEstimate(prompt, output, (clamped + block - 1) / block * block,
            "approximate", bounded ? "max_tokens" : "default"));
      }

      @Override
      public void observe(String tenant, CostEstimate estimate, long actualPrompt, long actualOutput) {}
    };
  }

  private static long codePoints(JsonNode node) {
    if (node.isTextual()) {
      return node.asText().codePointCount(0, node.asText().length());
    }
    long total = 0;
    for (JsonNode child : node) {
      total += codePoints(child);
    }
    return total;
  }
}

package io.sluice.router.runtime;

import io.sluice.router.api.InferenceRequest;
import io.sluice.router.estimate.CostEstimate;
import java.util.concurrent.CompletableFuture;

/** What the proxy needs of a pool's token estimation. */
public interface Estimator {
  /** The request's cost; may complete on another thread (exact tokenization runs off the event loop). */
  CompletableFuture<CostEstimate> estimate(InferenceRequest request, String tenant);

  /** Feeds back what a finished request really used; -1 where the engine did not say. */
  void observe(String tenant, CostEstimate estimate, long actualPromptTokens, long actualOutputTokens);
}

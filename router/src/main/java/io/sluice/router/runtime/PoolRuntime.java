package io.sluice.router.runtime;

import io.sluice.crd.BudgetSpec;
import io.sluice.router.admission.AdmissionController;
import io.sluice.router.estimate.TokenEstimator;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A pool at run time: its pods, its admission controller (budgets and queue) and its estimator.
 * Plain Java; the proxy and the offline simulator drive it.
 */
public final class PoolRuntime {
  private final Pool pool;
  private final AdmissionController admission;
  private final TokenEstimator estimator;
  private final Map<String, Pod> podsById;

  public PoolRuntime(Pool pool, AdmissionController admission, TokenEstimator estimator) {
    this.pool = pool;
    this.admission = admission;
    this.estimator = estimator;
    this.podsById = pool.pods().stream().collect(Collectors.toUnmodifiableMap(Pod::id, Function.identity()));
    BudgetSpec budget = pool.spec().budget();
    for (Pod pod : pool.pods()) {
      admission.addPod(pod.id(), budget.tokensPerPod().auto() ? 0 : budget.tokensPerPod().tokens());
    }
  }

  public Pool pool() {
    return pool;
  }

  public String name() {
    return pool.name();
  }

  public AdmissionController admission() {
    return admission;
  }

  public TokenEstimator estimator() {
    return estimator;
  }

  /** The pod with this id, or null. */
  public Pod pod(String podId) {
    return podsById.get(podId);
  }

  /** With {@code tokensPerPod: auto}: the engine reported its KV-cache size. */
  public void kvCapacityReported(String podId, long kvTokens) {
    BudgetSpec budget = pool.spec().budget();
    if (budget.tokensPerPod().auto()) {
      admission.setBudget(podId, (long) Math.floor(kvTokens * budget.utilization()));
    }
  }
}

package io.sluice.router.runtime;

import io.sluice.crd.BudgetCoordination;
import io.sluice.crd.BudgetSpec;
import java.util.OptionalLong;

/**
 * How a pod's token budget is decided from the pool's {@code budget} spec, what its engine last
 * reported and how many router replicas share it. Pure: {@link PoolRuntime} feeds it and writes
 * the answer into the admission ledger.
 *
 * <p>Three figures, each from the one before: the <em>configured</em> budget ({@code tokensPerPod},
 * or with {@code auto} the engine's KV size times {@code utilization}); the <em>whole</em> budget
 * (the pod's adaptive limit instead, once it has one); and what <em>this replica</em> may reserve
 * (the whole divided by the live replicas when the budget is partitioned). All three are empty with
 * {@code auto} until the engine has reported its KV size.
 */
public final class BudgetPolicy {
  /** A pod whose reservations reach this share of its budget is held back by it. */
  static final double BINDING_SHARE = 0.9;

  private BudgetPolicy() {}

  /**
   * The budget as configured, before any adaptive limit.
   *
   * @param kvCapacityTokens the engine's KV size from its latest scrape; 0 or less when unknown
   */
  public static OptionalLong configured(BudgetSpec budget, long kvCapacityTokens) {
    if (budget.tokensPerPod().auto()) {
      if (kvCapacityTokens <= 0) {
        return OptionalLong.empty();
      }
      return OptionalLong.of((long) Math.floor(kvCapacityTokens * budget.utilization()));
    }
    return OptionalLong.of(budget.tokensPerPod().tokens());
  }

  /**
   * Whether the pod's budget follows an adaptive limit here. Not with a shared ledger
   * ({@code coordination: redis}): there the ledger decides the shares.
   */
  public static boolean adapts(BudgetSpec budget) {
    return budget.adaptive() && budget.coordination() != BudgetCoordination.REDIS;
  }

  /**
   * The pod's whole budget: its adaptive limit once it has one (and the budget adapts), else the
   * configured budget.
   *
   * @param adaptiveLimit the pod's adaptive limit; negative when it has none yet
   */
  public static OptionalLong whole(BudgetSpec budget, long kvCapacityTokens, long adaptiveLimit) {
    OptionalLong configured = configured(budget, kvCapacityTokens);
    if (configured.isPresent() && adaptiveLimit >= 0 && adapts(budget)) {
      return OptionalLong.of(adaptiveLimit);
    }
    return configured;
  }

  /**
   * What this replica may reserve on the pod: the whole budget, divided by the live router
   * replicas when the budget is partitioned. With {@code redis} this is the ceiling only; the
   * shared ledger sets the share within it.
   */
  public static OptionalLong forReplica(BudgetSpec budget, OptionalLong whole, int replicas) {
    if (whole.isEmpty() || budget.coordination() != BudgetCoordination.PARTITIONED) {
      return whole;
    }
    return OptionalLong.of(whole.getAsLong() / replicas);
  }

  /** Whether a scrape reporting {@code kvCapacityTokens} can move the pod's budget. */
  public static boolean movedByScrape(BudgetSpec budget, long kvCapacityTokens) {
    return kvCapacityTokens > 0 && (budget.tokensPerPod().auto() || adapts(budget));
  }

  /**
   * Whether the pod's budget held requests back since the last scrape (the adaptive limit rises
   * only then): requests wait in the pool, or reservations on the pod reach {@link #BINDING_SHARE}
   * of its budget.
   */
  public static boolean binding(int queuedRequests, long podBudget, long podReserved) {
    return queuedRequests > 0 || podBudget > 0 && podReserved >= BINDING_SHARE * podBudget;
  }
}

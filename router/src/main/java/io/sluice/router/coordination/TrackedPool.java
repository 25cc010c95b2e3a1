package io.sluice.router.coordination;

import io.sluice.crd.BudgetCoordination;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.runtime.PoolRuntime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pool under the coordinator: its pods' shares and what the last round learnt. The pods and the
 * round's findings belong to the coordinator's scheduler thread; {@code retiring} and
 * {@code othersWaiting} are also read by the threads that ask for rounds.
 */
final class TrackedPool {
  final PoolRuntime runtime;
  final AsyncCoalescer rounds = new AsyncCoalescer();
  /** By pod id. */
  final Map<String, PodShare> pods = new HashMap<>();
  /** Untracked: its shares shrink to what is reserved, then go. */
  volatile boolean retiring;
  /** Other replicas wait for shares of the pool's pods, as of the last round that reached the ledger. */
  volatile boolean othersWaiting;
  /** This round: some pod was granted less than it wanted. */
  boolean starving;
  /** This round: some call failed. */
  boolean failed;
  /** This round: some answer said other replicas wait. */
  boolean seenWaiting;
  String lastFailure;

  TrackedPool(PoolRuntime runtime) {
    this.runtime = runtime;
  }

  /** Whether the pool's budgets are to be shared: tracked, not closing, and still {@code coordination: redis}. */
  boolean active(boolean closed) {
    return !retiring && !closed && runtime.pool().spec().budget().coordination() == BudgetCoordination.REDIS;
  }

  /** Makes {@code live} the pods with shares; the other pods depart (their reservations still count). */
  void reconcile(List<PodBudget> live) {
    Map<String, PodBudget> liveById = new HashMap<>();
    live.forEach(pod -> liveById.put(pod.podId(), pod));
    for (PodBudget pod : live) {
      pods.computeIfAbsent(pod.podId(), id -> new PodShare()).liveIs(pod);
    }
    pods.forEach((podId, share) -> {
      if (share.live != null && liveById.get(podId) != share.live) {
        share.departed();
      }
    });
  }

  /** Every pod departs: the pool is no longer shared. */
  void departAll() {
    pods.values().forEach(PodShare::departed);
  }

  /** Whether some live pod of known size runs on the fallback share. */
  boolean onFallback() {
    return pods.values().stream().anyMatch(share -> share.live != null && !share.confirmed && share.whole > 0);
  }
}

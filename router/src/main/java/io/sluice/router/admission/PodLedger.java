package io.sluice.router.admission;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pool's pods and their budgets: the live ones, in a copy-on-write list read without a lock on
 * every admission, and the departed ones that still have requests in flight, so that a pod coming
 * back takes up its old record and what those requests hold still counts.
 *
 * <p>Concurrency: membership changes are synchronized on the ledger; reads of {@link #pods()} are
 * a volatile read of an immutable list.
 */
final class PodLedger {
  private final PoolTotals totals;
  private volatile List<PodBudget> pods = List.of();
  /** Pods removed while requests were still in flight on them, by id. Guarded by this. */
  private final Map<String, PodBudget> departed = new HashMap<>();

  PodLedger(PoolTotals totals) {
    this.totals = totals;
  }

  /** Adds a pod with {@code budget} tokens (0: not known yet), or returns the pod of that id already there. */
  synchronized PodBudget add(String podId, long budget) {
    Optional<PodBudget> existing = pod(podId);
    if (existing.isPresent()) {
      return existing.get();
    }
    departed.values().removeIf(gone -> gone.inFlight() == 0);
    PodBudget pod = departed.remove(podId);
    if (pod != null) {
      pod.setBudget(budget);
      pod.resumeAccepting(); // its requests still in flight keep counting against it
    } else {
      pod = new PodBudget(podId, budget, totals);
    }
    List<PodBudget> next = new ArrayList<>(pods);
    next.add(pod);
    pods = List.copyOf(next);
    return pod;
  }

  /** Stops admitting to a pod and forgets it; its reservations stay valid until released. */
  synchronized void remove(String podId) {
    departed.values().removeIf(gone -> gone.inFlight() == 0);
    pod(podId).ifPresent(gone -> {
      gone.stopAccepting();
      departed.put(podId, gone); // dropped once nothing is in flight on it (checked at the next change)
    });
    pods = pods.stream().filter(p -> !p.podId().equals(podId)).toList();
  }

  Optional<PodBudget> pod(String podId) {
    return pods.stream().filter(p -> p.podId().equals(podId)).findFirst();
  }

  List<PodBudget> pods() {
    return pods;
  }
}

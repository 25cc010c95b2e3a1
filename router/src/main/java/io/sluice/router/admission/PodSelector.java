package io.sluice.router.admission;

import java.util.List;

/** Chooses the pod a request should be reserved on. */
@FunctionalInterface
public interface PodSelector {
  /**
   * The pod to try, or null when none should take it. With {@code mustFit} false (observe mode) a
   * pod is chosen even if the request does not fit its budget.
   */
  PodBudget select(List<PodBudget> pods, AdmissionRequest request, boolean mustFit);

  /** Most headroom left after the reservation; among equals, the first in list order. */
  PodSelector MOST_HEADROOM = (pods, request, mustFit) -> {
    PodBudget best = null;
    long bestLeft = Long.MIN_VALUE;
    for (PodBudget pod : pods) {
      if (!pod.accepting()) {
        continue;
      }
      long left = pod.budget() - pod.reserved() - request.tokens();
      if ((left >= 0 || !mustFit) && left > bestLeft) {
        best = pod;
        bestLeft = left;
      }
    }
    return best;
  };
}

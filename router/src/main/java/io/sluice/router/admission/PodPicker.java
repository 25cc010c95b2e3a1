package io.sluice.router.admission;

import java.util.List;

/** Chooses the pod a request should be reserved on. */
@FunctionalInterface
public interface PodPicker {
  /**
   * The pod to try, or null when none should take it. With {@code mustFit} false (observe mode) a
   * pod is chosen even if the request does not fit its budget.
   */
  PodBudget pick(List<PodBudget> pods, AdmissionRequest request, boolean mustFit);
}

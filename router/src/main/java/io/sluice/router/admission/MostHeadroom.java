package io.sluice.router.admission;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the pod with the most budget left after the reservation. Ties (common when pods are idle)
 * are broken by rotating where the scan starts, so equal pods share the load.
 */
public final class MostHeadroom implements PodPicker {
  private final AtomicInteger rotation = new AtomicInteger();

  @Override
  public PodBudget pick(List<PodBudget> pods, AdmissionRequest request, boolean mustFit) {
    int size = pods.size();
    if (size == 0) {
      return null;
    }
    int start = Math.floorMod(rotation.getAndIncrement(), size);
    PodBudget best = null;
    long bestLeft = Long.MIN_VALUE;
    for (int i = 0; i < size; i++) {
      PodBudget pod = pods.get((start + i) % size);
      if (!pod.takesRequestNow()) {
        continue;
      }
      long left = pod.budget() - pod.reserved() - request.tokens();
      if ((left >= 0 || !mustFit) && left > bestLeft) {
        best = pod;
        bestLeft = left;
      }
    }
    return best;
  }
}

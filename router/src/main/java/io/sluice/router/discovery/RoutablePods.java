package io.sluice.router.discovery;

import io.fabric8.kubernetes.api.model.PodStatus;
import io.sluice.router.pool.Pod;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Which of a pool's pods may take requests, and where to send them. */
final class RoutablePods {
  private RoutablePods() {}

  /** Running, Ready, not being deleted, and with an IP. */
  static boolean routable(io.fabric8.kubernetes.api.model.Pod pod) {
    PodStatus status = pod.getStatus();
    if (status == null || pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    if (!"Running".equals(status.getPhase()) || status.getPodIP() == null || status.getPodIP().isBlank()) {
      return false;
    }
    return status.getConditions() != null && status.getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The routable ones of {@code pods}, addressed as podIP:targetPort and named after the pod. */
  static List<Pod> of(Collection<io.fabric8.kubernetes.api.model.Pod> pods, int targetPort) {
    return pods.stream()
        .filter(RoutablePods::routable)
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(p -> new Pod(p.getMetadata().getName(), p.getStatus().getPodIP(), targetPort, false))
        .toList();
  }
}

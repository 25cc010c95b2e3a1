package io.sluice.router.discovery;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.sluice.router.metrics.RouterMetrics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refusal bookkeeping of one kind of resource (ModelPool or TrafficClass), by namespace/name:
 * why the latest version of each refused resource was refused (for its status), and which version
 * was reported already, so each is logged and counted in {@code sluice_config_rejected_total}
 * once. Versions are generations (status writes change the resourceVersion but not the
 * generation), or the resourceVersion when the API server keeps no generation.
 *
 * <p>Concurrency: not thread-safe; its owner calls it under its own lock.
 */
final class Refusals {
  /** Under discovery's name, where operators have always found these lines. */
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesDiscovery.class);

  private final String kind;
  private final RouterMetrics metrics;
  /** The last refused version of each resource. */
  private final Map<String, String> reported = new HashMap<>();
  /** Why the latest version of each refused resource was refused. */
  private final Map<String, String> problems = new HashMap<>();

  Refusals(String kind, RouterMetrics metrics) {
    this.kind = kind;
    this.metrics = metrics;
  }

  /** The latest version of the resource is refused; the last good version (if any) stays in force. */
  void refused(String key, HasMetadata resource, List<String> why) {
    metrics.configAccepted(kind, key, false);
    problems.put(key, String.join("; ", why));
    Long generation = resource.getMetadata().getGeneration();
    String version = generation != null ? "generation " + generation : resource.getMetadata().getResourceVersion();
    if (version != null && version.equals(reported.put(key, version))) {
      return; // this version was reported already
    }
    metrics.configRejected(kind, key);
    LOG.warn("{} {} refused, the last good version (if any) stays in force: {}", kind, key, String.join("; ", why));
  }

  /** The latest version of the resource is in force. */
  void accepted(String key) {
    metrics.configAccepted(kind, key, true);
    forget(key);
  }

  /** The resource is gone. */
  void forget(String key) {
    reported.remove(key);
    problems.remove(key);
  }

  /**
   * Forgets why resources no longer listed were refused. (Which version was reported stays, as it
   * always has: a resource deleted and created again at the same generation is not logged twice.)
   */
  void keepProblemsOf(Set<String> listed) {
    problems.keySet().retainAll(listed);
  }

  /** Why the latest version of the resource was refused, or null when it was not. */
  String why(String key) {
    return problems.get(key);
  }

  /** The namespace/name key of a resource. */
  static String key(HasMetadata resource) {
    return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
  }
}

package io.sluice.router.discovery;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.sluice.router.metrics.RouterMetrics;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the cluster with Fabric8 informers: the ModelPools and TrafficClasses of the watched
 * namespaces, for each pool in force the pods its selector matches in its namespace, and the
 * Secrets holding classes' API keys. Every resource is checked like the static file (same binding,
 * same validator); an invalid one is reported (log, {@code sluice_config_rejected_total},
 * {@code sluice_config_accepted} 0) and the last good version stays in force. Nothing here is on
 * the request path: what it sees is applied to a {@link ClusterSink}, which publishes snapshots the
 * event loops read.
 *
 * <p>The parts: {@link PoolDiscovery} (ModelPools and their pods), {@link ClassDiscovery}
 * (TrafficClasses), {@link ApiKeySecrets} (the classes' Secrets), each keeping its
 * {@link Refusals}. Each serializes its own events on itself (see there); they share no state, and
 * the sink serializes what they apply.
 */
public final class KubernetesDiscovery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesDiscovery.class);

  private final List<String> namespaces;
  private final PoolDiscovery pools;
  private final ApiKeySecrets secrets;
  private final ClassDiscovery classes;

  /**
   * @param namespaces where to watch ModelPools, TrafficClasses and the pools' pods
   */
  public KubernetesDiscovery(KubernetesClient client, List<String> namespaces, ClusterSink sink, RouterMetrics metrics) {
    this.namespaces = List.copyOf(namespaces);
    this.pools = new PoolDiscovery(client, sink, metrics);
    this.secrets = new ApiKeySecrets(client, sink);
    this.classes = new ClassDiscovery(client, sink, metrics, secrets);
  }

  /** Starts the informers; returns once each has listed what exists (its cache has synced). */
  public void start() {
    for (String namespace : namespaces) {
      pools.watch(namespace);
      classes.watch(namespace);
    }
    LOG.info("watching ModelPools, TrafficClasses and their pods in {}", namespaces);
  }

  /**
   * True once every informer (resources, and the pods of each pool in force) has listed what
   * exists and is watching for changes.
   */
  public boolean synced() {
    return pools.synced() && classes.synced();
  }

  /**
   * Every ModelPool of the watched namespaces as discovery sees it now: the version in force, its
   * pods, and why the latest version was refused, if it was.
   */
  public List<PoolReport> poolReports() {
    return pools.reports();
  }

  /**
   * Every TrafficClass of the watched namespaces as discovery sees it now: whether a version of it
   * is in force, and why the latest version was refused, if it was.
   */
  public List<ClassReport> classReports() {
    return classes.reports();
  }

  @Override
  public void close() {
    pools.close();
    classes.close();
    secrets.close();
  }
}

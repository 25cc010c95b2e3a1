package io.sluice.router.discovery;

import static io.sluice.router.discovery.InformerEvents.handler;
import static io.sluice.router.discovery.InformerEvents.live;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.crd.k8s.ModelPool;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.ConfigProblem;
import io.sluice.router.config.PoolConfig;
import io.sluice.router.metrics.RouterMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The ModelPools of the watched namespaces, and for each pool in force an informer on the pods its
 * selector matches in its namespace. Each version is checked like a static file's pool; a refused
 * one is reported and the last good version stays in force.
 *
 * <p>ModelPools are informed as generic resources, not as the typed {@link ModelPool}, and their
 * spec (the API server's maps, as a tree: no YAML text in between) goes to
 * {@link ConfigLoader#checkClusterPool}. Fabric8 binds typed resources with its own Jackson (3),
 * which ignores the spec records' Jackson 2 annotations: it cannot bind even a valid
 * {@code maxWait: 30s}, and a resource that does not bind fails in the informer, where nobody can
 * report it. The loader binds with the static file's rules (unknown fields, durations, token
 * budgets), keeps binding past a problem, and gives each problem its resource and field, which the
 * refusal message and the resource's status carry.
 */
final class PoolDiscovery {
  /*
   * Concurrency: each informer calls its handler on its own thread. ModelPool events, reports and
   * synced() are serialized on this object; pod events are not (they only read the pool's volatile
   * PoolWatch and the informer cache), so stopping a pod informer under the lock can never wait
   * for a pod handler that waits for the lock. A pod event of an informer already replaced is
   * dropped.
   */
  private static final ResourceDefinitionContext MODEL_POOLS = ResourceDefinitionContext.fromResourceType(ModelPool.class);

  private final KubernetesClient client;
  private final ClusterSink sink;
  private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new CopyOnWriteArrayList<>();
  /** Pools in force by namespace/name. Guarded by this. */
  private final Map<String, PoolWatch> pools = new HashMap<>();
  /** Guarded by this. */
  private final Refusals refusals;

  /** A pool in force and the informer on its pods. */
  private static final class PoolWatch {
    final String namespace;
    volatile PoolConfig config;
    volatile SharedIndexInformer<Pod> pods;

    PoolWatch(String namespace, PoolConfig config) {
      this.namespace = namespace;
      this.config = config;
    }
  }

  PoolDiscovery(KubernetesClient client, ClusterSink sink, RouterMetrics metrics) {
    this.client = client;
    this.sink = sink;
    this.refusals = new Refusals("ModelPool", metrics);
  }

  /** Starts following the ModelPools of {@code namespace}; returns once they are listed. */
  void watch(String namespace) {
    informers.add(client.genericKubernetesResources(MODEL_POOLS).inNamespace(namespace)
        .inform(handler(this::changed, this::deleted), 0));
  }

  /** True once the ModelPool informers and the pod informer of each pool in force are live. */
  synchronized boolean synced() {
    return !informers.isEmpty() && informers.stream().allMatch(InformerEvents::live)
        && pools.values().stream().allMatch(watch -> live(watch.pods));
  }

  private synchronized void changed(GenericKubernetesResource resource) {
    String namespace = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    String key = Refusals.key(resource);
    List<PoolConfig> others = pools.entrySet().stream().filter(e -> !e.getKey().equals(key))
        .map(e -> e.getValue().config).toList();
    ConfigLoader.Checked<PoolConfig> checked =
        ConfigLoader.checkClusterPool(name, resource.getAdditionalProperties().get("spec"), others);
    if (!checked.ok()) {
      refusals.refused(key, resource, checked.problems().stream().map(ConfigProblem::toString).toList());
      return;
    }
    PoolConfig config = checked.resource();
    try {
      sink.applyPool(config);
    } catch (RuntimeException e) { // e.g. a tokenizer file that cannot be read: refuse it, never kill the informer
      refusals.refused(key, resource, List.of(e.getMessage() != null ? e.getMessage() : e.toString()));
      return;
    }
    refusals.accepted(key);
    PoolWatch watch = pools.get(key);
    if (watch == null) {
      watch = new PoolWatch(namespace, config);
      pools.put(key, watch);
      watchPods(watch);
      return;
    }
    boolean newSelector = !watch.config.spec().selector().equals(config.spec().selector());
    watch.config = config;
    if (newSelector) {
      watch.pods.stop();
      watchPods(watch);
    } else {
      refreshPods(watch, watch.pods); // the target port may have changed
    }
  }

  private synchronized void deleted(GenericKubernetesResource resource) {
    String key = Refusals.key(resource);
    PoolWatch watch = pools.remove(key);
    refusals.forget(key);
    if (watch != null) {
      watch.pods.stop();
      sink.removePool(watch.config.name());
    }
  }

  private void watchPods(PoolWatch watch) {
    SharedIndexInformer<Pod> informer = client.pods().inNamespace(watch.namespace)
        .withLabels(watch.config.spec().selector()).runnableInformer(0);
    watch.pods = informer;
    informer.addEventHandler(handler(pod -> refreshPods(watch, informer), pod -> refreshPods(watch, informer)));
    informer.start();
  }

  /** Hands the routable pods in the informer's cache to the pool. Not synchronized: see above. */
  private void refreshPods(PoolWatch watch, SharedIndexInformer<Pod> informer) {
    if (watch.pods != informer) {
      return; // an event of a selector no longer in force
    }
    PoolConfig config = watch.config;
    sink.setPods(config.name(), RoutablePods.of(informer.getStore().list(), config.spec().targetPort()));
  }

  /** Every ModelPool as discovery sees it now; see {@link KubernetesDiscovery#poolReports}. */
  synchronized List<PoolReport> reports() {
    List<PoolReport> reports = new ArrayList<>();
    for (SharedIndexInformer<GenericKubernetesResource> informer : informers) {
      for (GenericKubernetesResource resource : informer.getStore().list()) {
        String key = Refusals.key(resource);
        PoolWatch watch = pools.get(key);
        List<Pod> pods = watch == null ? List.of() : watch.pods.getStore().list();
        int ready = watch == null ? 0 : RoutablePods.of(pods, watch.config.spec().targetPort()).size();
        reports.add(new PoolReport(resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
            resource.getMetadata().getGeneration(), watch == null ? null : watch.config.name(), pods.size(), ready,
            refusals.why(key)));
      }
    }
    reports.sort(Comparator.comparing(PoolReport::namespace).thenComparing(PoolReport::name));
    return reports;
  }

  synchronized void close() {
    informers.forEach(SharedIndexInformer::stop);
    pools.values().forEach(watch -> watch.pods.stop());
  }
}

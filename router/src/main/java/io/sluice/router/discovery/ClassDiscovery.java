package io.sluice.router.discovery;

import static io.sluice.router.discovery.InformerEvents.handler;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.crd.TrafficClassSpec;
import io.sluice.crd.k8s.TrafficClass;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.ConfigProblem;
import io.sluice.router.config.TrafficClassConfig;
import io.sluice.router.metrics.RouterMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The TrafficClasses of the watched namespaces. On any change every class is checked again, in
 * namespace/name order, each against the ones before it; a refused one is reported and its last
 * good version stays in force. The classes' Secret references go to {@link ApiKeySecrets}.
 * Informed as generic resources for the reason {@link PoolDiscovery} gives.
 *
 * <p>Concurrency: class events and reports are serialized on this object; it calls
 * {@link ApiKeySecrets} under its lock (never the other way round).
 */
final class ClassDiscovery {
  private static final ResourceDefinitionContext TRAFFIC_CLASSES =
      ResourceDefinitionContext.fromResourceType(TrafficClass.class);

  private final KubernetesClient client;
  private final ClusterSink sink;
  private final ApiKeySecrets secrets;
  private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new CopyOnWriteArrayList<>();
  /** The last good version of each traffic class by namespace/name. Guarded by this. */
  private final Map<String, TrafficClassConfig> good = new HashMap<>();
  /** Guarded by this. */
  private final Refusals refusals;

  ClassDiscovery(KubernetesClient client, ClusterSink sink, RouterMetrics metrics, ApiKeySecrets secrets) {
    this.client = client;
    this.sink = sink;
    this.secrets = secrets;
    this.refusals = new Refusals("TrafficClass", metrics);
  }

  /** Starts following the TrafficClasses of {@code namespace}; returns once they are listed. */
  void watch(String namespace) {
    SharedIndexInformer<GenericKubernetesResource> classes = client.genericKubernetesResources(TRAFFIC_CLASSES)
        .inNamespace(namespace).runnableInformer(0);
    informers.add(classes);
    classes.addEventHandler(handler(r -> changed(), r -> changed()));
    classes.run(); // returns once listed, as inform() does
  }

  /** True once every TrafficClass informer is live. */
  boolean synced() {
    return !informers.isEmpty() && informers.stream().allMatch(InformerEvents::live);
  }

  private synchronized void changed() {
    List<GenericKubernetesResource> resources = new ArrayList<>();
    informers.forEach(informer -> resources.addAll(informer.getStore().list()));
    resources.sort(Comparator.comparing((GenericKubernetesResource r) -> r.getMetadata().getNamespace())
        .thenComparing(r -> r.getMetadata().getName()));
    List<TrafficClassConfig> inForce = new ArrayList<>();
    Map<String, TrafficClassConfig> nowGood = new HashMap<>();
    Set<String> listed = new HashSet<>();
    for (GenericKubernetesResource resource : resources) {
      String key = Refusals.key(resource);
      listed.add(key);
      ConfigLoader.Checked<TrafficClassConfig> checked = ConfigLoader.checkClusterClass(
          resource.getMetadata().getName(), resource.getAdditionalProperties().get("spec"), inForce);
      TrafficClassConfig config = checked.resource();
      if (checked.ok()) {
        refusals.accepted(key);
      } else {
        refusals.refused(key, resource, checked.problems().stream().map(ConfigProblem::toString).toList());
        config = good.get(key);
      }
      if (config != null) {
        inForce.add(config);
        nowGood.put(key, config);
      }
    }
    good.clear();
    good.putAll(nowGood);
    refusals.keepProblemsOf(listed);
    sink.setClasses(inForce);
    Map<String, ApiKeySecrets.SecretRef> refs = new HashMap<>();
    nowGood.forEach((key, config) -> {
      TrafficClassSpec.SecretKeys ref = config.spec().match().apiKeySecretRef();
      if (ref != null) {
        refs.put(config.name(), new ApiKeySecrets.SecretRef(key.substring(0, key.indexOf('/')), ref));
      }
    });
    secrets.follow(refs);
  }

  /** Every TrafficClass as discovery sees it now; see {@link KubernetesDiscovery#classReports}. */
  synchronized List<ClassReport> reports() {
    List<ClassReport> reports = new ArrayList<>();
    for (SharedIndexInformer<GenericKubernetesResource> informer : informers) {
      for (GenericKubernetesResource resource : informer.getStore().list()) {
        String key = Refusals.key(resource);
        reports.add(new ClassReport(resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
            resource.getMetadata().getGeneration(), good.containsKey(key), refusals.why(key)));
      }
    }
    reports.sort(Comparator.comparing(ClassReport::namespace).thenComparing(ClassReport::name));
    return reports;
  }

  void close() {
    informers.forEach(SharedIndexInformer::stop);
  }
}

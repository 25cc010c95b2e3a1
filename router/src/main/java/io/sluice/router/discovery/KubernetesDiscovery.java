package io.sluice.router.discovery;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.sluice.crd.TrafficClassSpec;
import io.sluice.router.runtime.TrafficClasses;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.crd.k8s.ModelPool;
import io.sluice.crd.k8s.TrafficClass;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.ConfigProblem;
import io.sluice.router.config.PoolConfig;
import io.sluice.router.config.TrafficClassConfig;
import io.sluice.router.metrics.RouterMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the cluster with Fabric8 informers: the ModelPools and TrafficClasses of the watched
 * namespaces, and for each pool in force the pods its selector matches in its namespace. Every
 * resource is checked like the static file (same binding, same validator); an invalid one is
 * reported (log, {@code sluice_config_rejected_total}, {@code sluice_config_accepted} 0) and the
 * last good version stays in force. Nothing here is on the request path: what it sees is applied
 * to a {@link ClusterSink}, which publishes snapshots the event loops read.
 *
 * <p>Concurrency: each informer calls its handler on its own thread. ModelPool and TrafficClass
 * events are serialized on this object; pod events are not (they only read the pool's volatile
 * {@link PoolWatch} and the informer cache), so stopping a pod informer under the lock can never
 * wait for a pod handler that waits for the lock. A pod event of an informer already replaced is
 * dropped.
 */
public final class KubernetesDiscovery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesDiscovery.class);
  private static final ResourceDefinitionContext MODEL_POOLS = ResourceDefinitionContext.fromResourceType(ModelPool.class);
  private static final ResourceDefinitionContext TRAFFIC_CLASSES =
      ResourceDefinitionContext.fromResourceType(TrafficClass.class);

  private static final String SECRETS = "secrets";

  private final KubernetesClient client;
  private final List<String> namespaces;
  private final ClusterSink sink;
  private final RouterMetrics metrics;
  private final List<SharedIndexInformer<GenericKubernetesResource>> resourceInformers = new CopyOnWriteArrayList<>();
  private final List<SharedIndexInformer<GenericKubernetesResource>> classInformers = new CopyOnWriteArrayList<>();
  private final List<SharedIndexInformer<GenericKubernetesResource>> poolInformers = new CopyOnWriteArrayList<>();
  /** Pools in force by namespace/name. Guarded by this. */
  private final Map<String, PoolWatch> pools = new HashMap<>();
  /** The last good version of each traffic class by namespace/name. Guarded by this. */
  private final Map<String, TrafficClassConfig> goodClasses = new HashMap<>();
  /**
   * The last refused version of each resource (its generation, or its resourceVersion when the API
   * server keeps no generation), so each is reported once: status writes change the resourceVersion
   * but not the generation. Guarded by this.
   */
  private final Map<String, String> reported = new HashMap<>();
  /** Secret informers by namespace, started once a class of the namespace refers to a Secret. Guarded by this. */
  private final Map<String, SharedIndexInformer<Secret>> secretInformers = new HashMap<>();
  /** The Secret references of the classes in force, by class name. Guarded by this. */
  private Map<String, SecretRef> secretRefs = Map.of();

  private record SecretRef(String namespace, TrafficClassSpec.SecretKeys keys) {}

  /** Why the latest version of each refused ModelPool was refused. Guarded by this. */
  private final Map<String, String> refusals = new HashMap<>();
  /** Why the latest version of each refused TrafficClass was refused. Guarded by this. */
  private final Map<String, String> classRefusals = new HashMap<>();

  /** A pool in force and the informer on its pods. */
  private static final class PoolWatch {
    final String namespace;
    volatile PoolConfig config;
    volatile SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> pods;

    PoolWatch(String namespace, PoolConfig config) {
      this.namespace = namespace;
      this.config = config;
    }
  }

  /**
   * @param namespaces where to watch ModelPools, TrafficClasses and the pools' pods
   */
  public KubernetesDiscovery(KubernetesClient client, List<String> namespaces, ClusterSink sink, RouterMetrics metrics) {
    this.client = client;
    this.namespaces = List.copyOf(namespaces);
    this.sink = sink;
    this.metrics = metrics;
  }

  /** Starts the informers; returns once each has listed what exists (its cache has synced). */
  public void start() {
    for (String namespace : namespaces) {
      SharedIndexInformer<GenericKubernetesResource> modelPools = client.genericKubernetesResources(MODEL_POOLS)
          .inNamespace(namespace).inform(handler(this::poolChanged, this::poolDeleted), 0);
      poolInformers.add(modelPools);
      resourceInformers.add(modelPools);
      SharedIndexInformer<GenericKubernetesResource> classes = client.genericKubernetesResources(TRAFFIC_CLASSES)
          .inNamespace(namespace).runnableInformer(0);
      classInformers.add(classes);
      resourceInformers.add(classes);
      classes.addEventHandler(handler(r -> classesChanged(), r -> classesChanged()));
      classes.run(); // returns once listed, as inform() does
    }
    LOG.info("watching ModelPools, TrafficClasses and their pods in {}", namespaces);
  }

  /**
   * True once every informer (resources, and the pods of each pool in force) has listed what
   * exists and is watching for changes.
   */
  public synchronized boolean synced() {
    return !resourceInformers.isEmpty() && resourceInformers.stream().allMatch(KubernetesDiscovery::live)
        && pools.values().stream().allMatch(watch -> live(watch.pods));
  }

  private static boolean live(SharedIndexInformer<?> informer) {
    return informer.hasSynced() && informer.isWatching();
  }

  private synchronized void poolChanged(GenericKubernetesResource resource) {
    String namespace = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    String key = namespace + "/" + name;
    List<PoolConfig> others = pools.entrySet().stream().filter(e -> !e.getKey().equals(key))
        .map(e -> e.getValue().config).toList();
    ConfigLoader.Checked<PoolConfig> checked =
        ConfigLoader.checkClusterPool(name, resource.getAdditionalProperties().get("spec"), others);
    if (!checked.ok()) {
      refused("ModelPool", key, resource, checked.problems().stream().map(ConfigProblem::toString).toList());
      return;
    }
    PoolConfig config = checked.resource();
    try {
      sink.applyPool(config);
    } catch (RuntimeException e) { // e.g. a tokenizer file that cannot be read: refuse it, never kill the informer
      refused("ModelPool", key, resource, List.of(e.getMessage() != null ? e.getMessage() : e.toString()));
      return;
    }
    metrics.configAccepted("ModelPool", key, true);
    reported.remove("ModelPool " + key);
    refusals.remove(key);
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

  private synchronized void poolDeleted(GenericKubernetesResource resource) {
    String key = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    PoolWatch watch = pools.remove(key);
    reported.remove("ModelPool " + key);
    refusals.remove(key);
    if (watch != null) {
      watch.pods.stop();
      sink.removePool(watch.config.name());
    }
  }

  private void watchPods(PoolWatch watch) {
    SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer = client.pods().inNamespace(watch.namespace)
        .withLabels(watch.config.spec().selector()).runnableInformer(0);
    watch.pods = informer;
    informer.addEventHandler(handler(pod -> refreshPods(watch, informer), pod -> refreshPods(watch, informer)));
    informer.start();
  }

  /** Hands the routable pods in the informer's cache to the pool. Not synchronized: see above. */
  private void refreshPods(PoolWatch watch, SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer) {
    if (watch.pods != informer) {
      return; // an event of a selector no longer in force
    }
    PoolConfig config = watch.config;
    sink.setPods(config.name(), RoutablePods.of(informer.getStore().list(), config.spec().targetPort()));
  }

  private synchronized void classesChanged() {
    List<GenericKubernetesResource> resources = new ArrayList<>();
    classInformers.forEach(informer -> resources.addAll(informer.getStore().list()));
    resources.sort(Comparator.comparing((GenericKubernetesResource r) -> r.getMetadata().getNamespace())
        .thenComparing(r -> r.getMetadata().getName()));
    List<TrafficClassConfig> inForce = new ArrayList<>();
    Map<String, TrafficClassConfig> good = new HashMap<>();
    for (GenericKubernetesResource resource : resources) {
      String key = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
      ConfigLoader.Checked<TrafficClassConfig> checked = ConfigLoader.checkClusterClass(
          resource.getMetadata().getName(), resource.getAdditionalProperties().get("spec"), inForce);
      TrafficClassConfig config = checked.resource();
      if (checked.ok()) {
        metrics.configAccepted("TrafficClass", key, true);
        reported.remove("TrafficClass " + key);
        classRefusals.remove(key);
      } else {
        refused("TrafficClass", key, resource, checked.problems().stream().map(ConfigProblem::toString).toList());
        config = goodClasses.get(key);
      }
      if (config != null) {
        inForce.add(config);
        good.put(key, config);
      }
    }
    goodClasses.clear();
    goodClasses.putAll(good);
    classRefusals.keySet().removeIf(key -> resources.stream()
        .noneMatch(r -> key.equals(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())));
    sink.setClasses(inForce);
    Map<String, SecretRef> refs = new HashMap<>();
    good.forEach((key, config) -> {
      TrafficClassSpec.SecretKeys ref = config.spec().match().apiKeySecretRef();
      if (ref != null) {
        String namespace = key.substring(0, key.indexOf('/'));
        refs.put(config.name(), new SecretRef(namespace, ref));
        secretInformers.computeIfAbsent(namespace, this::watchSecrets);
      }
    });
    secretRefs = Map.copyOf(refs);
    secretsChanged();
  }

  /** Watches the Secrets of {@code namespace}; needs get, list and watch on secrets there. */
  private SharedIndexInformer<Secret> watchSecrets(String namespace) {
    SharedIndexInformer<Secret> informer = client.secrets().inNamespace(namespace).runnableInformer(0);
    informer.addEventHandler(handler(secret -> secretsChanged(), secret -> secretsChanged()));
    informer.start().whenComplete((done, failure) -> {
      if (failure != null) {
        LOG.warn("cannot watch Secrets in {} (does the router's role allow get, list and watch on secrets?): {}",
            namespace, failure.toString());
      }
    });
    return informer;
  }

  /**
   * Hands the API keys in the Secrets the classes refer to to the sink, hashed: each data value
   * (or each listed entry) is one key. A missing Secret or entry gives no keys.
   */
  private synchronized void secretsChanged() {
    Map<String, List<byte[]>> digests = new HashMap<>();
    secretRefs.forEach((className, ref) -> {
      SharedIndexInformer<Secret> informer = secretInformers.get(ref.namespace());
      Secret secret = informer == null ? null : informer.getStore().getByKey(ref.namespace() + "/" + ref.keys().name());
      List<byte[]> keys = new ArrayList<>();
      if (secret != null && secret.getData() != null) {
        secret.getData().forEach((entry, base64) -> {
          if (base64 != null && (ref.keys().keys().isEmpty() || ref.keys().keys().contains(entry))) {
            String key = new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8).strip();
            if (!key.isEmpty()) {
              keys.add(TrafficClasses.digestOfKey(key));
            }
          }
        });
      }
      digests.put(className, keys);
    });
    sink.setClassKeys(SECRETS, digests);
  }

  private void refused(String kind, String key, GenericKubernetesResource resource, List<String> problems) {
    metrics.configAccepted(kind, key, false);
    ("ModelPool".equals(kind) ? refusals : classRefusals).put(key, String.join("; ", problems));
    Long generation = resource.getMetadata().getGeneration();
    String version = generation != null ? "generation " + generation : resource.getMetadata().getResourceVersion();
    if (version != null && version.equals(reported.put(kind + " " + key, version))) {
      return; // this version was reported already
    }
    metrics.configRejected(kind, key);
    LOG.warn("{} {} refused, the last good version (if any) stays in force: {}", kind, key, String.join("; ", problems));
  }

  /**
   * Every ModelPool of the watched namespaces as discovery sees it now: the version in force, its
   * pods, and why the latest version was refused, if it was.
   */
  public synchronized List<PoolReport> poolReports() {
    List<PoolReport> reports = new ArrayList<>();
    for (SharedIndexInformer<GenericKubernetesResource> informer : poolInformers) {
      for (GenericKubernetesResource resource : informer.getStore().list()) {
        String namespace = resource.getMetadata().getNamespace();
        String name = resource.getMetadata().getName();
        String key = namespace + "/" + name;
        PoolWatch watch = pools.get(key);
        List<io.fabric8.kubernetes.api.model.Pod> pods = watch == null ? List.of() : watch.pods.getStore().list();
        int ready = watch == null ? 0 : RoutablePods.of(pods, watch.config.spec().targetPort()).size();
        reports.add(new PoolReport(namespace, name, resource.getMetadata().getGeneration(),
            watch == null ? null : watch.config.name(), pods.size(), ready, refusals.get(key)));
      }
    }
    reports.sort(Comparator.comparing(PoolReport::namespace).thenComparing(PoolReport::name));
    return reports;
  }

  /**
   * Every TrafficClass of the watched namespaces as discovery sees it now: whether a version of it
   * is in force, and why the latest version was refused, if it was.
   */
  public synchronized List<ClassReport> classReports() {
    List<ClassReport> reports = new ArrayList<>();
    for (SharedIndexInformer<GenericKubernetesResource> informer : classInformers) {
      for (GenericKubernetesResource resource : informer.getStore().list()) {
        String key = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
        reports.add(new ClassReport(resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
            resource.getMetadata().getGeneration(), goodClasses.containsKey(key), classRefusals.get(key)));
      }
    }
    reports.sort(Comparator.comparing(ClassReport::namespace).thenComparing(ClassReport::name));
    return reports;
  }

  private static <T> ResourceEventHandler<T> handler(Consumer<T> changed, Consumer<T> deleted) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T resource) {
        changed.accept(resource);
      }

      @Override
      public void onUpdate(T before, T after) {
        changed.accept(after);
      }

      @Override
      public void onDelete(T resource, boolean finalStateUnknown) {
        deleted.accept(resource);
      }
    };
  }

  @Override
  public synchronized void close() {
    resourceInformers.forEach(SharedIndexInformer::stop);
    secretInformers.values().forEach(SharedIndexInformer::stop);
    pools.values().forEach(watch -> watch.pods.stop());
  }
}

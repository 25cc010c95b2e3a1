package io.sluice.router.discovery;

import static io.sluice.router.discovery.InformerEvents.handler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.sluice.crd.TrafficClassSpec;
import io.sluice.router.runtime.TrafficClasses;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys traffic classes keep in Secrets ({@code match.apiKeySecretRef}): a Secret informer
 * per namespace, started once a class of the namespace refers to a Secret, and the keys handed to
 * the sink hashed, as the source {@value #SOURCE}.
 *
 * <p>Concurrency: {@link #follow} (class events) and Secret events are serialized on this object.
 */
final class ApiKeySecrets {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesDiscovery.class);
  static final String SOURCE = "secrets";

  private final KubernetesClient client;
  private final ClusterSink sink;
  /** Secret informers by namespace. Guarded by this. */
  private final Map<String, SharedIndexInformer<Secret>> informers = new HashMap<>();
  /** The Secret references of the classes in force, by class name. Guarded by this. */
  private Map<String, SecretRef> refs = Map.of();

  /** A class's Secret: its namespace and which of its entries hold keys. */
  record SecretRef(String namespace, TrafficClassSpec.SecretKeys keys) {}

  ApiKeySecrets(KubernetesClient client, ClusterSink sink) {
    this.client = client;
    this.sink = sink;
  }

  /** Makes {@code refs} (by class name) the Secrets whose keys the classes in force use, and hands their keys over. */
  synchronized void follow(Map<String, SecretRef> refs) {
    refs.values().forEach(ref -> informers.computeIfAbsent(ref.namespace(), this::watch));
    this.refs = Map.copyOf(refs);
    changed();
  }

  /** Watches the Secrets of {@code namespace}; needs get, list and watch on secrets there. */
  private SharedIndexInformer<Secret> watch(String namespace) {
    SharedIndexInformer<Secret> informer = client.secrets().inNamespace(namespace).runnableInformer(0);
    informer.addEventHandler(handler(secret -> changed(), secret -> changed()));
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
  private synchronized void changed() {
    Map<String, List<byte[]>> digests = new HashMap<>();
    refs.forEach((className, ref) -> {
      SharedIndexInformer<Secret> informer = informers.get(ref.namespace());
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
    sink.setClassKeys(SOURCE, digests);
  }

  synchronized void close() {
    informers.values().forEach(SharedIndexInformer::stop);
  }
}

package io.sluice.helm;

import static io.sluice.helm.Chart.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.sluice.crd.BudgetCoordination;
import io.sluice.crd.k8s.ModelPool;
import io.sluice.crd.k8s.TrafficClass;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.PoolConfig;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.config.TrafficClassConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the chart wires budget coordination between router replicas, and the router's settings. */
class ChartCoordinationTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, Object> ONE_POOL = map(
      "modelPools[0].name", "qwen",
      "modelPools[0].spec.models[0]", "qwen3-8b",
      "modelPools[0].spec.selector.app", "vllm",
      "modelPools[0].spec.targetPort", 8000);

  @Test
  void autoIsLocalForOneReplicaAndPartitionedForMore() {
    assertThat(coordination(with(ONE_POOL, "replicaCount", 1))).isEqualTo(BudgetCoordination.LOCAL);
    assertThat(coordination(with(ONE_POOL, "replicaCount", 3))).isEqualTo(BudgetCoordination.PARTITIONED);
    assertThat(coordination(with(with(ONE_POOL, "replicaCount", 1), "autoscaling.enabled", true)))
        .as("an autoscaler may add replicas").isEqualTo(BudgetCoordination.PARTITIONED);
    assertThat(coordination(with(with(ONE_POOL, "replicaCount", 1), "coordination.mode", "partitioned")))
        .isEqualTo(BudgetCoordination.PARTITIONED);
  }

  @Test
  void aPoolThatSaysHowItSharesKeepsIt() {
    assertThat(coordination(with(with(ONE_POOL, "replicaCount", 1), "modelPools[0].spec.budget.coordination",
        "partitioned"))).isEqualTo(BudgetCoordination.PARTITIONED);
  }

  @Test
  void aPoolSetToLocalIsRefusedWithSeveralReplicas() {
    assertThatThrownBy(() -> Chart.render(with(with(ONE_POOL, "replicaCount", 2),
        "modelPools[0].spec.budget.coordination", "local"))).hasMessageContaining("would over-admit");
    assertThat(coordination(with(with(ONE_POOL, "replicaCount", 1), "modelPools[0].spec.budget.coordination",
        "local"))).isEqualTo(BudgetCoordination.LOCAL);
  }

  @Test
  void localWithSeveralReplicasIsRefused() {
    assertThatThrownBy(() -> Chart.render(map("coordination.mode", "local", "replicaCount", 2)))
        .hasMessageContaining("coordination.mode local needs replicaCount 1");
    assertThatThrownBy(() -> Chart.render(map("coordination.mode", "local", "replicaCount", 1,
        "autoscaling.enabled", true))).hasMessageContaining("coordination.mode local");
    assertThat(Chart.render(map("coordination.mode", "local", "replicaCount", 1)).all(Deployment.class)).hasSize(1);
  }

  @Test
  void renderedPoolsAndClassesPassTheRoutersOwnClusterChecks() {
    Chart.Rendered rendered = Chart.render("all-on.yaml", Map.of());
    List<PoolConfig> pools = new ArrayList<>();
    for (ModelPool pool : rendered.all(ModelPool.class)) {
      Object spec = raw(rendered.yaml, "ModelPool", pool.getMetadata().getName()).getAdditionalProperties().get("spec");
      ConfigLoader.Checked<PoolConfig> checked = ConfigLoader.checkClusterPool(pool.getMetadata().getName(), spec, pools);
      assertThat(checked.problems()).as(pool.getMetadata().getName()).isEmpty();
      assertThat(checked.resource().spec().budget().coordination()).isEqualTo(BudgetCoordination.PARTITIONED);
      pools.add(checked.resource());
    }
    assertThat(pools).hasSize(2);
    List<TrafficClassConfig> classes = new ArrayList<>();
    for (TrafficClass trafficClass : rendered.all(TrafficClass.class)) {
      ConfigLoader.Checked<TrafficClassConfig> checked = ConfigLoader.checkClusterClass(
          trafficClass.getMetadata().getName(),
          raw(rendered.yaml, "TrafficClass", trafficClass.getMetadata().getName()).getAdditionalProperties().get("spec"),
          classes);
      assertThat(checked.problems()).isEmpty();
      classes.add(checked.resource());
    }
    assertThat(classes).extracting(TrafficClassConfig::name).containsExactlyInAnyOrder("interactive", "batch", "gold");
  }

  @Test
  void settingsConfigMapIsARouterSettingsDocumentTheRouterAccepts() {
    Chart.Rendered rendered = Chart.render(map("settings.drainTimeout", "20s", "settings.tokenizerThreads", 3));
    String settings = rendered.named(ConfigMap.class, Chart.FULLNAME).getData().get("settings.yaml");

    ConfigLoader.Result loaded = ConfigLoader.parseSettings(settings, "settings.yaml");
    assertThat(loaded.problems()).isEmpty();
    RouterSettings parsed = loaded.config().settings();
    assertThat(parsed.drainTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(parsed.tokenizerThreads()).isEqualTo(3);
    assertThat(parsed.maxBodyBytes()).isEqualTo(16L * 1024 * 1024);
    assertThat(settings).doesNotContain("redis");
    // A new ConfigMap rolls the pods: its checksum is on the pod template.
    String before = rendered.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations()
        .get("checksum/settings");
    String after = Chart.render(map("settings.drainTimeout", "25s")).one(Deployment.class).getSpec().getTemplate()
        .getMetadata().getAnnotations().get("checksum/settings");
    assertThat(before).isNotBlank().isNotEqualTo(after);
  }

  @Test
  void redisModeGivesTheRouterTheAddressAndThePasswordSecret() throws Exception {
    Chart.Rendered rendered = Chart.render("redis.yaml", Map.of());

    Map<?, ?> document = YAML.readValue(
        rendered.named(ConfigMap.class, Chart.FULLNAME).getData().get("settings.yaml"), Map.class);
    assertThat(document.get("kind")).isEqualTo("RouterSettings");
    Map<?, ?> spec = (Map<?, ?>) document.get("spec");
    assertThat(spec.get("redis")).isEqualTo(Map.of("address", "redis://redis-master.redis:6379", "timeout", "500ms",
        "keyPrefix", "prod:", "leaseTtl", "15s"));
    assertThat(spec.get("drainTimeout")).isEqualTo("30s");
    // The router's own reading and checks of the settings file.
    RouterSettings settings = routerAccepts(rendered);
    assertThat(settings.redis().configured()).isTrue();
    assertThat(settings.redis().address()).isEqualTo("redis://redis-master.redis:6379");
    assertThat(settings.redis().timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.redis().keyPrefix()).isEqualTo("prod:");
    assertThat(settings.redis().leaseTtl()).isEqualTo(Duration.ofSeconds(15));

    Container router = rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    EnvVar password = ChartRenderTest.env(router, "SLUICE_REDIS_PASSWORD");
    assertThat(password.getValue()).isNull();
    assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("sluice-redis");
    assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");

    // Raw, not typed: the crd module's BudgetCoordination learns "redis" with the Redis ledger.
    String withPool = Chart.template(Chart.values("redis.yaml"), ONE_POOL);
    Map<String, Object> budget = raw(withPool, "ModelPool", "qwen").get("spec", "budget");
    assertThat(budget).containsEntry("coordination", "redis");

    // Egress to the Redis port goes where Redis runs (networkPolicy.redisTo), not anywhere.
    NetworkPolicy policy = rendered.one(NetworkPolicy.class);
    var redisRule = policy.getSpec().getEgress().stream()
        .filter(rule -> rule.getPorts().stream().anyMatch(p -> Integer.valueOf(6379).equals(p.getPort().getIntVal())))
        .toList();
    assertThat(redisRule).singleElement().satisfies(rule -> {
      assertThat(rule.getPorts()).hasSize(1);
      assertThat(rule.getTo()).singleElement().satisfies(peer -> {
        assertThat(peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "redis");
        assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "redis");
      });
    });
    // Without redisTo: the pods of the release's own namespace only.
    NetworkPolicy local = Chart.render("redis.yaml", Map.of("networkPolicy.redisTo", "null"))
        .one(NetworkPolicy.class);
    assertThat(local.getSpec().getEgress()).filteredOn(rule -> rule.getTo() != null && !rule.getTo().isEmpty())
        .singleElement().satisfies(rule -> {
          assertThat(rule.getTo()).singleElement().satisfies(peer -> {
            assertThat(peer.getNamespaceSelector()).isNull();
            assertThat(peer.getPodSelector().getMatchLabels()).isNullOrEmpty();
          });
          assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(6379));
        });
  }

  @Test
  void defaultSettingsAreTheRoutersDefaults() {
    RouterSettings settings = routerAccepts(Chart.render(Map.of()));
    RouterSettings defaults = RouterSettings.defaults();
    assertThat(settings.maxBodyBytes()).isEqualTo(defaults.maxBodyBytes());
    assertThat(settings.connectTimeout()).isEqualTo(defaults.connectTimeout());
    assertThat(settings.responseTimeout()).isEqualTo(defaults.responseTimeout());
    assertThat(settings.idleTimeout()).isEqualTo(defaults.idleTimeout());
    assertThat(settings.drainTimeout()).isEqualTo(defaults.drainTimeout());
    assertThat(settings.maxConnectionsPerPod()).isEqualTo(defaults.maxConnectionsPerPod());
    assertThat(settings.accessLog()).isEqualTo(defaults.accessLog());
    assertThat(settings.sessionHeader()).isEqualTo(defaults.sessionHeader());
    assertThat(settings.maxHeaderBytes()).isEqualTo(defaults.maxHeaderBytes());
    assertThat(settings.maxConnections()).isEqualTo(defaults.maxConnections());
    assertThat(settings.requestTimeout()).isEqualTo(defaults.requestTimeout());
    assertThat(settings.clientIdleTimeout()).isEqualTo(defaults.clientIdleTimeout());
    assertThat(settings.authentication()).isEqualTo(defaults.authentication());
    assertThat(settings.tls()).isNull();
    assertThat(settings.redis().configured()).isFalse();
  }

  @Test
  void allOnSettingsReachTheRouter() {
    RouterSettings settings = routerAccepts(Chart.render("all-on.yaml", Map.of()));
    assertThat(settings.tokenizerThreads()).isEqualTo(4);
    assertThat(settings.tokenizerQueue()).isZero();
    assertThat(settings.maxHeaderBytes()).isEqualTo(32768);
    assertThat(settings.maxConnections()).isEqualTo(10000);
    assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(settings.clientIdleTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(settings.authentication().mode()).isEqualTo(RouterSettings.AuthMode.REQUIRED);
    assertThat(settings.tls()).isEqualTo(new RouterSettings.Tls("/etc/sluice-tls/tls.crt", "/etc/sluice-tls/tls.key"));
  }

  @Test
  void redisNeedsAnAddressAndOtherModesNoPassword() {
    assertThatThrownBy(() -> Chart.render(map("coordination.mode", "redis")))
        .hasMessageContaining("coordination.redis.address");
    Container router = Chart.render(map("coordination.redis.existingSecret", "unused")).one(Deployment.class)
        .getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(router.getEnv()).extracting(EnvVar::getName).doesNotContain("SLUICE_REDIS_PASSWORD");
  }

  @Test
  void resourcesOutsideTheWatchedNamespacesAreRefused() {
    assertThatThrownBy(() -> Chart.render(with(ONE_POOL, "modelPools[0].namespace", "elsewhere")))
        .hasMessageContaining("namespace elsewhere is not watched");
  }

  /** The settings ConfigMap as the router reads it (ConfigLoader.parseSettings): no problems allowed. */
  static RouterSettings routerAccepts(Chart.Rendered rendered) {
    String settings = rendered.named(ConfigMap.class, Chart.FULLNAME).getData().get("settings.yaml");
    ConfigLoader.Result loaded = ConfigLoader.parseSettings(settings, "settings.yaml");
    assertThat(loaded.problems()).as(settings).isEmpty();
    return loaded.config().settings();
  }

  private static BudgetCoordination coordination(Map<String, Object> sets) {
    return Chart.render(sets).one(ModelPool.class).getSpec().budget().coordination();
  }

  /** The resource as rendered, before any typed binding (the ModelPool class fills in defaults). */
  private static GenericKubernetesResource raw(String yaml, String kind, String name) {
    return Chart.documents(yaml).stream()
        .map(d -> Chart.SERIALIZATION.unmarshal(d, GenericKubernetesResource.class))
        .filter(r -> r.getKind().equals(kind) && r.getMetadata().getName().equals(name))
        .findFirst().orElseThrow();
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> copy = new java.util.LinkedHashMap<>(base);
    copy.put(key, value);
    return copy;
  }
}

package io.sluice.router.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.sluice.crd.k8s.ModelPool;
import io.sluice.crd.k8s.TrafficClass;
import io.sluice.router.SluiceServer;
import io.sluice.router.admission.AdmissionRequest;
import io.sluice.router.admission.Decision;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.config.SluiceConfig;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery against Fabric8's mock API server (CRUD mode) and a real router on loopback. */
class KubernetesDiscoveryTest {
  private static final Duration WITHIN = Duration.ofSeconds(1);
  private static final String NS = "llm";
  private static KubernetesMockServer apiServer;
  private static KubernetesClient client;

  private final RouterHarness harness = new RouterHarness();
  private FakeEngine engineA;
  private FakeEngine engineB;
  private KubernetesDiscovery discovery;

  @BeforeAll
  static void startApiServer() {
    apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), true);
    apiServer.init();
    client = apiServer.createClient();
  }

  @AfterAll
  static void stopApiServer() {
    client.close();
    MockApiServers.destroy(apiServer);
  }

  @BeforeEach
  void start() throws Exception {
    engineA = new FakeEngine(harness.vertx, "a").start();
    engineB = new FakeEngine(harness.vertx, "b").start();
    harness.router = SluiceServer.start(harness.vertx, new SluiceConfig(List.of(), List.of(), RouterSettings.defaults()),
        SluiceServer.Options.loopback(0, 0)).await(10, TimeUnit.SECONDS);
    discovery = new KubernetesDiscovery(client, List.of(NS), harness.router.clusterSink(), harness.router.metrics());
    discovery.start();
  }

  @AfterEach
  void stop() throws Exception {
    discovery.close();
    client.pods().inNamespace(NS).delete();
    client.genericKubernetesResources(context(ModelPool.class)).inNamespace(NS).delete();
    client.genericKubernetesResources(context(TrafficClass.class)).inNamespace(NS).delete();
    client.secrets().inNamespace(NS).delete();
    engineA.close();
    engineB.close();
    harness.close();
  }

  @Test
  void podsJoinWhenReadyAndLeaveWhenDeleted() throws Exception {
    apply(pool("qwen", "[qwen-7b]", "app: qwen", engineA.port(), ""));
    settled(() -> runtime("qwen") != null && discovery.synced());
    client.pods().inNamespace(NS).resource(pod("qwen-0", "qwen", false)).create();
    // A pod that is not ready must not join. Rather than sleep and see nothing happen, create a
    // ready pod after it: the pool's informer delivers events in order, so once the marker has
    // joined, the router has seen qwen-0 too, and left it out.
    client.pods().inNamespace(NS).resource(pod("qwen-marker", "qwen", true)).create();
    within(() -> runtime("qwen").pool().pods().stream().anyMatch(p -> p.id().equals("qwen-marker")));
    assertThat(runtime("qwen").pool().pods()).extracting(p -> p.id()).containsExactly("qwen-marker");
    client.pods().inNamespace(NS).withName("qwen-marker").delete();
    within(() -> runtime("qwen").pool().pods().isEmpty());

    client.pods().inNamespace(NS).resource(pod("qwen-0", "qwen", true)).updateStatus();
    within(() -> runtime("qwen").pool().pods().size() == 1);
    assertThat(runtime("qwen").pool().pods().get(0).port()).isEqualTo(engineA.port());
    HttpResponse<String> answer = harness.postJson("/v1/chat/completions",
        "{\"model\":\"qwen-7b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5}");
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(engineA.received).hasSize(1);

    client.pods().inNamespace(NS).withName("qwen-0").delete();
    within(() -> runtime("qwen").pool().pods().isEmpty());
    assertThat(runtime("qwen").admission().pods()).isEmpty();
  }

  @Test
  void aPodThatGoesAwayKeepsItsReservationUntilItsRequestEnds() {
    apply(pool("qwen", "[qwen-7b]", "app: qwen", engineA.port(), ""));
    settled(() -> runtime("qwen") != null && discovery.synced());
    client.pods().inNamespace(NS).resource(pod("qwen-0", "qwen", true)).create();
    within(() -> runtime("qwen").pool().pods().size() == 1);
    PoolRuntime runtime = runtime("qwen");
    Decision decision = runtime.admission().admit(new AdmissionRequest(500, 0, "default", "default"), null);
    assertThat(decision).isInstanceOf(Decision.Admitted.class);

    client.pods().inNamespace(NS).withName("qwen-0").delete();
    within(() -> runtime.admission().pods().isEmpty());
    assertThat(runtime.admission().reservedTokens()).isEqualTo(500);
    assertThat(runtime.admission().admit(new AdmissionRequest(10, 0, "default", "default"), null))
        .isInstanceOf(Decision.NoPods.class);

    ((Decision.Admitted) decision).reservation().release();
    assertThat(runtime.admission().reservedTokens()).isZero();
    assertThat(runtime.admission().inFlight()).isZero();
  }

  @Test
  void modelPoolChangesApplyLiveAndDeletionStopsRouting() {
    apply(pool("qwen", "[qwen-7b]", "app: qwen", engineA.port(), ""));
    settled(() -> runtime("qwen") != null && discovery.synced());
    client.pods().inNamespace(NS).resource(pod("qwen-0", "qwen", true)).create();
    within(() -> runtime("qwen").pool().pods().size() == 1);
    PoolRuntime before = runtime("qwen");

    apply(pool("qwen", "[qwen-7b, qwen-chat]", "app: qwen", engineB.port(), "budget: {tokensPerPod: 4000}"));
    within(() -> harness.router.pools().forModel("qwen-chat") != null
        && before.pool().pods().stream().anyMatch(pod -> pod.port() == engineB.port()));
    assertThat(runtime("qwen")).isSameAs(before); // changed in place: reservations and queue kept
    assertThat(before.admission().pods().get(0).budget()).isEqualTo(4000);

    client.genericKubernetesResources(context(ModelPool.class)).inNamespace(NS).withName("qwen").delete();
    within(() -> harness.router.pools().forModel("qwen-7b") == null);
  }

  @Test
  void anInvalidModelPoolIsRefusedAndTheLastGoodOneStays() {
    apply(pool("qwen", "[qwen-7b]", "app: qwen", engineA.port(), ""));
    within(() -> harness.router.pools().forModel("qwen-7b") != null);

    apply(pool("qwen", "[qwen-8b]", "app: qwen", engineA.port(), "queue: {maxWait: 0s}"));
    within(() -> rejected("ModelPool") == 1.0);
    assertThat(harness.router.pools().forModel("qwen-7b")).isNotNull();
    assertThat(harness.router.pools().forModel("qwen-8b")).isNull();
    assertThat(runtime("qwen").pool().spec().queue().maxWait()).isEqualTo(Duration.ofSeconds(60));

    apply(pool("other", "[qwen-7b]", "app: other", engineB.port(), "")); // a model already served
    within(() -> rejected("ModelPool") == 2.0);
    assertThat(harness.router.pools().named("other")).isNull();

    // Valid, but its tokenizer file cannot be read when the pool is built: refused, not a dead informer.
    apply(pool("unreadable", "[qwen-9b]", "app: other", engineB.port(),
        "tokenizer: {type: huggingface, path: /nonexistent/tokenizer.json}"));
    within(() -> rejected("ModelPool") == 3.0);
    assertThat(harness.router.pools().named("unreadable")).isNull();
    apply(pool("later", "[qwen-10b]", "app: other", engineB.port(), ""));
    within(() -> harness.router.pools().forModel("qwen-10b") != null); // the informer still applies changes
  }

  @Test
  void trafficClassesFollowTheCluster() {
    apply(TrafficClass.class, """
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: batch, namespace: llm}
        spec: {priority: -10, match: {headers: {x-tier: batch}}}
        """);
    within(() -> classNames().equals(List.of("batch")));
    apply(TrafficClass.class, """
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: bad, namespace: llm}
        spec: {priority: 5, match: {apiKeySha256: [not-a-digest]}}
        """);
    within(() -> rejected("TrafficClass") == 1.0);
    assertThat(classNames()).containsExactly("batch");
  }

  @Test
  void apiKeysComeFromTheSecretTheClassNamesAndRotateLive() {
    client.secrets().inNamespace(NS).resource(new SecretBuilder()
        .withNewMetadata().withName("tenant-keys").withNamespace(NS).endMetadata()
        .addToData("alice", base64("key-alice\n")).addToData("bob", base64("key-bob"))
        .addToData("note", base64("not-a-key")).build()).create();
    apply(TrafficClass.class, """
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: paying, namespace: llm}
        spec: {priority: 10, match: {apiKeySecretRef: {name: tenant-keys, keys: [alice, bob]}}}
        """);
    within(() -> classOf("key-alice").equals("paying") && classOf("key-bob").equals("paying"));
    assertThat(classOf("not-a-key")).isEqualTo("default");
    assertThat(harness.router.trafficClasses().keyCount()).isEqualTo(2);

    client.secrets().inNamespace(NS).withName("tenant-keys").edit(secret -> new SecretBuilder(secret)
        .withData(Map.of("alice", base64("key-alice-2"), "bob", base64("key-bob"))).build());
    within(() -> classOf("key-alice-2").equals("paying") && classOf("key-alice").equals("default"));

    client.secrets().inNamespace(NS).withName("tenant-keys").delete();
    within(() -> classOf("key-bob").equals("default"));
    assertThat(harness.router.trafficClasses().keyCount()).isZero();
  }

  private String classOf(String key) {
    return harness.router.trafficClasses().resolve(
        name -> name.equals("authorization") ? "Bearer " + key : null).trafficClass();
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  /** Waits until {@code condition} holds, at most a second: the time discovery has to apply a change. */
  private static void within(BooleanSupplier condition) {
    waitFor(condition, WITHIN);
  }

  /** Set-up: the first pool of a cold JVM loads the plugins and estimators, and informers start. */
  private static void settled(BooleanSupplier condition) {
    waitFor(condition, Duration.ofSeconds(10));
  }

  private static void waitFor(BooleanSupplier condition, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not applied within " + limit);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private List<String> classNames() {
    return harness.router.trafficClasses().all().stream().map(c -> c.name()).toList();
  }

  private double rejected(String kind) {
    return harness.router.metrics().registry().find("sluice.config.rejected").tag("kind", kind).counters()
        .stream().mapToDouble(c -> c.count()).sum();
  }

  private PoolRuntime runtime(String name) {
    return harness.router.pools().named(name);
  }

  private static String pool(String name, String models, String selector, int port, String extra) {
    return """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: %s, namespace: llm}
        spec:
          models: %s
          selector: {%s}
          targetPort: %d
          engine: vllm
          %s
        """.formatted(name, models, selector, port, extra.startsWith("budget") ? extra : extra + "\n  budget: {tokensPerPod: 100000}");
  }

  private static void apply(String yaml) {
    apply(ModelPool.class, yaml);
  }

  private static void apply(Class<?> type, String yaml) {
    GenericKubernetesResource resource = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    client.genericKubernetesResources(context(type)).inNamespace(NS).resource(resource).createOr(r -> r.update());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static ResourceDefinitionContext context(Class<?> type) {
    return ResourceDefinitionContext.fromResourceType((Class) type);
  }

  private static Pod pod(String name, String app, boolean ready) {
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).addToLabels("app", app).endMetadata()
        .withNewStatus().withPhase(ready ? "Running" : "Pending").withPodIP("127.0.0.1")
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus().build();
  }
}

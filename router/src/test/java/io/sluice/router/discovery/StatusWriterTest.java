package io.sluice.router.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.sluice.crd.k8s.ModelPool;
import io.sluice.crd.k8s.ModelPoolStatus;
import io.sluice.crd.k8s.TrafficClass;
import io.sluice.crd.k8s.TrafficClassStatus;
import io.sluice.router.SluiceServer;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.config.SluiceConfig;
import io.sluice.router.testing.RouterHarness;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ModelPool and TrafficClass status written by one elected replica, against Fabric8's mock API server (CRUD mode). */
class StatusWriterTest {
  private static final String NS = "llm";
  private static final ResourceDefinitionContext MODEL_POOLS = ResourceDefinitionContext.fromResourceType(ModelPool.class);
  private static final ResourceDefinitionContext TRAFFIC_CLASSES =
      ResourceDefinitionContext.fromResourceType(TrafficClass.class);

  private KubernetesMockServer apiServer;
  private KubernetesClient admin;
  private final List<AutoCloseable> open = new ArrayList<>();

  /** One router replica: its own server, API client, discovery and status writer. */
  private final class Replica {
    final RouterHarness harness = new RouterHarness();
    final KubernetesClient client = apiServer.createClient();
    final StatusWriter status;

    Replica(String identity) throws Exception {
      harness.router = SluiceServer.start(harness.vertx, new SluiceConfig(List.of(), List.of(), RouterSettings.defaults()),
          SluiceServer.Options.loopback(0, 0)).await(10, TimeUnit.SECONDS);
      open.add(harness);
      open.add(client);
      KubernetesDiscovery discovery =
          new KubernetesDiscovery(client, List.of(NS), harness.router.clusterSink(), harness.router.metrics());
      discovery.start();
      open.add(0, discovery);
      status = new StatusWriter(client, NS, identity, discovery::poolReports, discovery::classReports, harness.router.pools(),
          Duration.ofMillis(100), Duration.ofSeconds(1));
      status.start();
      open.add(0, status);
    }
  }

  @BeforeEach
  void startApiServer() throws Exception {
    apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), true);
    apiServer.init();
    admin = apiServer.createClient();
    try (InputStream crd = Files.newInputStream(Path.of("../deploy/crds/modelpools.sluice.io-v1.yml"))) {
      admin.apiextensions().v1().customResourceDefinitions().load(crd).create(); // the status subresource
    }
    try (InputStream crd = Files.newInputStream(Path.of("../deploy/crds/trafficclasses.sluice.io-v1.yml"))) {
      admin.apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
    admin.close();
    MockApiServers.destroy(apiServer);
  }

  @Test
  void oneReplicaWritesTheStatusAndAnotherTakesOverWhenItLeaves() throws Exception {
    Replica a = new Replica("router-a");
    Replica b = new Replica("router-b");
    applyPool("budget: {tokensPerPod: 100000}");
    createPod("qwen-0", true);
    createPod("qwen-1", false);

    RouterHarness.eventually(() -> status() != null && status().pods() == 2 && status().readyPods() == 1
        && status().budgetTokens() == 100_000);
    RouterHarness.eventually(() -> a.status.leading() ^ b.status.leading()); // one leader, not two
    ModelPoolStatus status = status();
    assertThat(status.observedGeneration()).isEqualTo(resource().getMetadata().getGeneration()).isNotNull();
    assertThat(status.reservedTokens()).isZero();
    assertThat(status.queuedRequests()).isZero();
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Ready").getReason()).isEqualTo("PodsReady");
    assertThat(condition(status, "Invalid").getStatus()).isEqualTo("False");
    assertThat(resource().getAdditionalProperties().get("spec")).isNotNull(); // a status patch leaves the spec alone

    Replica leader = a.status.leading() ? a : b;
    Replica other = leader == a ? b : a;
    leader.status.close(); // releases the leader Lease
    RouterHarness.eventually(other.status::leading);
    admin.pods().inNamespace(NS).withName("qwen-0").delete();
    RouterHarness.eventually(() -> status().readyPods() == 0 && status().pods() == 1);
    assertThat(condition(status(), "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(status(), "Ready").getReason()).isEqualTo("NoReadyPods");
  }

  @Test
  void anInvalidModelPoolGetsAnInvalidConditionWithTheValidationMessage() throws Exception {
    new Replica("router-a");
    applyPool("budget: {tokensPerPod: 100000}");
    createPod("qwen-0", true);
    RouterHarness.eventually(() -> status() != null && status().readyPods() == 1);

    applyPool("budget: {tokensPerPod: 100000}\n  queue: {maxWait: 0s}");
    RouterHarness.eventually(() -> "True".equals(condition(status(), "Invalid").getStatus()));
    ModelPoolStatus status = status();
    assertThat(condition(status, "Invalid").getReason()).isEqualTo("ValidationFailed");
    assertThat(condition(status, "Invalid").getMessage()).contains("maxWait").contains("last good version");
    assertThat(status.observedGeneration()).isEqualTo(resource().getMetadata().getGeneration());
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("True"); // the last good version still routes
    assertThat(status.budgetTokens()).isEqualTo(100_000);
  }

  @Test
  void aModelPoolThatWasNeverValidIsNotReady() throws Exception {
    new Replica("router-a");
    applyPool("budget: {tokensPerPod: 100000}\n  queue: {maxWait: 0s}");
    RouterHarness.eventually(() -> status() != null);
    ModelPoolStatus status = status();
    assertThat(condition(status, "Invalid").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Invalid").getMessage()).contains("maxWait").doesNotContain("last good version");
    assertThat(condition(status, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Ready").getReason()).isEqualTo("NotInForce");
    assertThat(status.budgetTokens()).isZero();
  }

  @Test
  void aTrafficClassIsAcceptedThenReportedInvalidWhileItsLastGoodVersionStays() throws Exception {
    new Replica("router-a");
    applyClass("{priority: 10, match: {headers: {x-tier: interactive}}}");
    RouterHarness.eventually(() -> classStatus() != null
        && "True".equals(condition(classStatus().conditions(), "Accepted").getStatus()));
    Condition accepted = condition(classStatus().conditions(), "Accepted");
    assertThat(accepted.getReason()).isEqualTo("Valid");
    assertThat(classStatus().observedGeneration()).isEqualTo(classResource().getMetadata().getGeneration());

    applyClass("{priority: 10, match: {apiKeySha256: [not-a-digest]}}");
    RouterHarness.eventually(() -> "False".equals(condition(classStatus().conditions(), "Accepted").getStatus()));
    Condition refused = condition(classStatus().conditions(), "Accepted");
    assertThat(refused.getReason()).isEqualTo("ValidationFailed");
    assertThat(refused.getMessage()).contains("apiKeySha256").contains("last good version");
    assertThat(classStatus().observedGeneration()).isEqualTo(classResource().getMetadata().getGeneration());
    assertThat(classResource().getAdditionalProperties().get("spec")).isNotNull();
  }

  private GenericKubernetesResource classResource() {
    return admin.genericKubernetesResources(TRAFFIC_CLASSES).inNamespace(NS).withName("interactive").get();
  }

  private TrafficClassStatus classStatus() {
    Object status = classResource().getAdditionalProperties().get("status");
    return status == null ? null : Serialization.unmarshal(Serialization.asJson(status), TrafficClassStatus.class);
  }

  private void applyClass(String spec) {
    GenericKubernetesResource resource = Serialization.unmarshal("""
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: interactive, namespace: llm}
        spec: %s
        """.formatted(spec), GenericKubernetesResource.class);
    GenericKubernetesResource existing = classResource();
    if (existing == null) {
      admin.genericKubernetesResources(TRAFFIC_CLASSES).inNamespace(NS).resource(resource).create();
    } else {
      existing.getAdditionalProperties().put("spec", resource.getAdditionalProperties().get("spec"));
      admin.genericKubernetesResources(TRAFFIC_CLASSES).inNamespace(NS).resource(existing).update();
    }
  }

  private GenericKubernetesResource resource() {
    return admin.genericKubernetesResources(MODEL_POOLS).inNamespace(NS).withName("qwen").get();
  }

  /** The pool's status as the API server holds it, or null before the first write. */
  private ModelPoolStatus status() {
    Object status = resource().getAdditionalProperties().get("status");
    return status == null ? null : Serialization.unmarshal(Serialization.asJson(status), ModelPoolStatus.class);
  }

  private static Condition condition(ModelPoolStatus status, String type) {
    return condition(status.conditions(), type);
  }

  private static Condition condition(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " condition in " + conditions));
  }

  private void applyPool(String extra) {
    GenericKubernetesResource pool = Serialization.unmarshal("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen, namespace: llm}
        spec:
          models: [qwen-7b]
          selector: {app: qwen}
          targetPort: 8000
          engine: vllm
          %s
        """.formatted(extra), GenericKubernetesResource.class);
    GenericKubernetesResource existing = admin.genericKubernetesResources(MODEL_POOLS).inNamespace(NS).withName("qwen").get();
    if (existing == null) {
      admin.genericKubernetesResources(MODEL_POOLS).inNamespace(NS).resource(pool).create();
    } else {
      existing.getAdditionalProperties().put("spec", pool.getAdditionalProperties().get("spec"));
      admin.genericKubernetesResources(MODEL_POOLS).inNamespace(NS).resource(existing).update();
    }
  }

  private void createPod(String name, boolean ready) {
    admin.pods().inNamespace(NS).resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).addToLabels("app", "qwen").endMetadata()
        .withNewStatus().withPhase(ready ? "Running" : "Pending").withPodIP("127.0.0.1")
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus().build()).create();
  }
}

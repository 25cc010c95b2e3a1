package io.sluice.router.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.sluice.crd.k8s.ModelPool;
import io.sluice.router.SluiceServer;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.config.SluiceConfig;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.testing.RouterHarness;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Partitioned budgets: router replicas counted through their Leases on Fabric8's mock API server. */
class ReplicaLeasesTest {
  private static final String NS = "llm";
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration RENEW = Duration.ofMillis(100);

  private KubernetesMockServer apiServer;
  private final List<AutoCloseable> open = new ArrayList<>();

  /** One router replica: its own server, API client, discovery and Lease. */
  private final class Replica {
    final RouterHarness harness = new RouterHarness();
    final KubernetesClient client = apiServer.createClient();
    final KubernetesDiscovery discovery;
    final ReplicaLeases leases;

    Replica(String identity) throws Exception {
      harness.router = SluiceServer.start(harness.vertx, new SluiceConfig(List.of(), List.of(), RouterSettings.defaults()),
          SluiceServer.Options.loopback(0, 0)).await(10, TimeUnit.SECONDS);
      open.add(harness);
      open.add(client);
      discovery = new KubernetesDiscovery(client, List.of(NS), harness.router.clusterSink(), harness.router.metrics());
      discovery.start();
      open.add(0, discovery);
      leases = new ReplicaLeases(client, NS, identity, LEASE, RENEW, harness.router.clusterSink());
      leases.start();
      open.add(0, leases);
    }

    /** The pod's budget in this replica's ledger, or -1 while the pool or pod is not there yet. */
    long budget(String pool, String pod) {
      PoolRuntime runtime = harness.router.pools().named(pool);
      return runtime == null ? -1 : runtime.admission().pod(pod).map(PodBudget::budget).orElse(-1L);
    }

    double replicasGauge() {
      return harness.router.metrics().registry().get("sluice.router.replicas").gauge().value();
    }
  }

  @BeforeEach
  void startApiServer() {
    apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), true);
    apiServer.init();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
    MockApiServers.destroy(apiServer);
  }

  @Test
  void twoReplicasHalveTheBudgetAndTheSurvivorTakesItBackWhenOneLeaves() throws Exception {
    Replica a = new Replica("router-a");
    Replica b = new Replica("router-b");
    createPool(a.client, "budget: {tokensPerPod: 100000}");
    createReadyPod(a.client, "qwen-0");

    RouterHarness.eventually(() -> a.budget("qwen", "qwen-0") == 50_000 && b.budget("qwen", "qwen-0") == 50_000);
    assertThat(a.leases.replicas()).isEqualTo(2);
    assertThat(a.replicasGauge()).isEqualTo(2.0);
    assertThat(b.replicasGauge()).isEqualTo(2.0);

    b.leases.close(); // stops renewing and deletes its Lease
    RouterHarness.eventually(() -> a.budget("qwen", "qwen-0") == 100_000);
    assertThat(a.leases.replicas()).isEqualTo(1);
    assertThat(a.replicasGauge()).isEqualTo(1.0);
  }

  @Test
  void aReplicaThatStopsRenewingIsNoLongerCounted() throws Exception {
    Replica a = new Replica("router-a");
    createPool(a.client, "budget: {tokensPerPod: 90000}");
    createReadyPod(a.client, "qwen-0");
    RouterHarness.eventually(() -> a.budget("qwen", "qwen-0") == 90_000);

    // A replica that renewed its one-second Lease once and then crashed.
    a.client.leases().inNamespace(NS).resource(new LeaseBuilder()
        .withNewMetadata().withName("sluice-router-crashed").withNamespace(NS)
        .addToLabels(ReplicaLeases.COMPONENT_LABEL, ReplicaLeases.COMPONENT).endMetadata()
        .withNewSpec().withHolderIdentity("crashed").withLeaseDurationSeconds(1)
        .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).endSpec().build()).create();

    RouterHarness.eventually(() -> a.budget("qwen", "qwen-0") == 45_000);
    RouterHarness.eventually(() -> a.budget("qwen", "qwen-0") == 90_000); // its Lease ran out
    assertThat(a.leases.replicas()).isEqualTo(1);
  }

  @Test
  void aLocalBudgetIsNotDivided() throws Exception {
    Replica a = new Replica("router-a");
    Replica b = new Replica("router-b");
    createPool(a.client, "budget: {tokensPerPod: 100000, coordination: local}");
    createReadyPod(a.client, "qwen-0");
    RouterHarness.eventually(() -> a.leases.replicas() == 2 && b.leases.replicas() == 2
        && a.budget("qwen", "qwen-0") != -1 && b.budget("qwen", "qwen-0") != -1);
    assertThat(a.budget("qwen", "qwen-0")).isEqualTo(100_000);
    assertThat(b.budget("qwen", "qwen-0")).isEqualTo(100_000);
  }

  private static void createPool(KubernetesClient client, String budget) {
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
        """.formatted(budget), GenericKubernetesResource.class);
    client.genericKubernetesResources(ResourceDefinitionContext.fromResourceType(ModelPool.class)).inNamespace(NS)
        .resource(pool).create();
  }

  private static void createReadyPod(KubernetesClient client, String name) {
    client.pods().inNamespace(NS).resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).addToLabels("app", "qwen").endMetadata()
        .withNewStatus().withPhase("Running").withPodIP("127.0.0.1")
        .addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus().build()).create();
  }
}

package io.sluice.sim.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.sluice.router.SluiceServer;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.config.SluiceConfig;
import io.sluice.router.discovery.KubernetesDiscovery;
import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.sluice.sim.server.Faults;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What K3sEndToEndIT does in a cluster, without Docker: the ModelPool and TrafficClasses of
 * deploy/emulator go into Fabric8's mock API server as they are, with two Ready pods labelled as
 * deploy/emulator's engine Deployment labels them; the router discovers them and routes a chat
 * completion of the {@code interactive} class to emulated engines (on 127.0.0.2 and 127.0.0.3,
 * standing in for pod IPs), with budgets read from the engines' metrics ({@code tokensPerPod: auto}).
 */
class EmulatorManifestsTest {
  private static final String NAMESPACE = "sluice-demo";

  @Test
  void theRouterRoutesToTheEmulatedEnginesTheManifestsDescribe() throws Exception {
    List<HasMetadata> resources = DeployManifestsTest.load(DeployManifestsTest.DEPLOY.resolve("emulator/20-modelpool.yaml"));
    Deployment engines = (Deployment) DeployManifestsTest.load(DeployManifestsTest.DEPLOY.resolve("emulator/10-engines.yaml")).get(0);
    Map<String, String> podLabels = engines.getSpec().getTemplate().getMetadata().getLabels();

    KubernetesMockServer apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), true);
    apiServer.init();
    Vertx vertx = Vertx.vertx();
    KubernetesClient client = apiServer.createClient();
    KubernetesDiscovery discovery = null;
    try {
      // Both engines listen on the same port, as pods do on their targetPort, at different addresses.
      EngineServer first = EngineServer.deploy(vertx, engine("127.0.0.2", 0)).await(10, TimeUnit.SECONDS);
      EngineServer second = EngineServer.deploy(vertx, engine("127.0.0.3", first.port())).await(10, TimeUnit.SECONDS);
      int targetPort = first.port();

      for (HasMetadata resource : resources) {
        GenericKubernetesResource generic = (GenericKubernetesResource) resource;
        if (generic.getKind().equals("ModelPool")) {
          @SuppressWarnings("unchecked")
          Map<String, Object> spec = (Map<String, Object>) generic.getAdditionalProperties().get("spec");
          assertThat(spec.get("targetPort")).isEqualTo(engines.getSpec().getTemplate().getSpec().getContainers()
              .get(0).getPorts().get(0).getContainerPort());
          spec.put("targetPort", targetPort); // the port the loopback engines could bind
        }
        client.genericKubernetesResources(context(generic)).inNamespace(NAMESPACE).resource(generic).create();
      }
      client.pods().inNamespace(NAMESPACE).resource(pod("sim-qwen3-8b-0", podLabels, "127.0.0.2")).create();
      client.pods().inNamespace(NAMESPACE).resource(pod("sim-qwen3-8b-1", podLabels, "127.0.0.3")).create();

      SluiceServer router = SluiceServer.start(vertx, new SluiceConfig(List.of(), List.of(), RouterSettings.defaults()),
          SluiceServer.Options.loopback(0, 0)).await(10, TimeUnit.SECONDS);
      discovery = new KubernetesDiscovery(client, List.of(NAMESPACE), router.clusterSink(), router.metrics());
      discovery.start();
      long synced = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!(discovery.synced() && router.pools().named("qwen") != null) && System.nanoTime() < synced) {
        Thread.sleep(50);
      }
      assertThat(router.pools().named("qwen")).as("the ModelPool of 20-modelpool.yaml in force").isNotNull();

      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      List<Integer> statuses = new ArrayList<>();
      HttpResponse<String> answer = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) { // 503 until the pods are discovered and their budgets read
        answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/v1/chat/completions"))
            .header("Content-Type", "application/json").header("Authorization", "Bearer demo-interactive-key")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"qwen3-8b\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        statuses.add(answer.statusCode());
        if (answer.statusCode() != 503) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(answer.statusCode()).as("statuses seen: " + statuses + ", last body " + answer.body()).isEqualTo(200);
      assertThat(answer.body()).contains("\"completion_tokens\":8");
      assertThat(router.pools().named("qwen").pool().pods()).hasSize(2);

      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.adminPort() + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).containsPattern("sluice_admission_outcomes_total\\{class=\"interactive\",outcome=\"admitted\",pool=\"qwen\"} 1\\.0");
      second.port(); // both engines stay up until the end
    } finally {
      if (discovery != null) {
        discovery.close();
      }
      client.close();
      vertx.close().await(10, TimeUnit.SECONDS);
      try {
        apiServer.destroy();
      } catch (IllegalStateException e) {
        System.err.println("mock API server closed slowly: " + e.getMessage()); // watches still winding down
      }
    }
  }

  private static EngineOptions engine(String host, int port) {
    return new EngineOptions(host, port, "qwen3-8b", List.of(), EngineConfig.of(20_000, Profiles.LLAMA3_8B_A100),
        50.0, null, 42, "fixed:8", EngineOptions.Flavor.VLLM, Faults.NONE);
  }

  private static ResourceDefinitionContext context(GenericKubernetesResource resource) {
    String plural = resource.getKind().equals("ModelPool") ? "modelpools" : "trafficclasses";
    return new ResourceDefinitionContext.Builder().withGroup("sluice.io").withVersion("v1alpha1")
        .withKind(resource.getKind()).withPlural(plural).withNamespaced(true).build();
  }

  /** A pod as the Deployment's ReplicaSet makes it, once Running and Ready. */
  private static Pod pod(String name, Map<String, String> labels, String ip) {
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels).endMetadata()
        .withNewStatus().withPhase("Running").withPodIP(ip)
        .addNewCondition().withType("Ready").withStatus("True").endCondition()
        .endStatus().build();
  }
}

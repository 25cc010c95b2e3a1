package io.sluice.sim.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * End to end on a real cluster: K3s in a container imports the Sluice image (the tarball Jib
 * writes, no Docker daemon needed to build it), then the test applies deploy/crds and
 * deploy/emulator exactly as the kind walkthrough does and sends a chat completion through the
 * router's Service to the emulated engines.
 *
 * <p>Needs a Docker engine (skipped without one) and the image tarball:
 * {@code mvn -B -Pimage -pl simulator -am package -DskipTests} writes simulator/target/jib-image.tar.
 */
class K3sEndToEndIT {
  private static final Path IMAGE_TAR = Path.of("target/jib-image.tar");
  private static final DockerImageName K3S = DockerImageName.parse("rancher/k3s:v1.31.4-k3s1");
  private static final String NAMESPACE = "sluice-demo";
  private static final ResourceDefinitionContext MODEL_POOLS = new ResourceDefinitionContext.Builder()
      .withGroup("sluice.io").withVersion("v1alpha1").withPlural("modelpools").withKind("ModelPool")
      .withNamespaced(true).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static void needsDockerAndTheImage() {
    assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
        "skipped: no Docker engine here, and K3s runs in a container. DeployManifestsTest checks the same "
            + "manifests without a cluster; KubernetesDiscoveryTest runs discovery against a mock API server.");
    assumeTrue(Files.isRegularFile(IMAGE_TAR), "skipped: no image tarball at simulator/" + IMAGE_TAR
        + "; build it first with: mvn -B -Pimage -pl simulator -am package -DskipTests");
  }

  @Test
  void theRouterInK3sRoutesAChatCompletionToAnEmulatedEngine() throws Exception {
    needsDockerAndTheImage();
    String image = imageName(IMAGE_TAR);
    try (K3sContainer k3s = new K3sContainer(K3S)
        // K3s imports every image tarball in this directory when it starts.
        .withCopyFileToContainer(MountableFile.forHostPath(IMAGE_TAR), "/var/lib/rancher/k3s/agent/images/sluice.tar")) {
      k3s.start();
      try (KubernetesClient client = new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build()) {
        apply(client, DeployManifestsTest.DEPLOY.resolve("crds"), image);
        for (String crd : List.of("modelpools.sluice.io", "trafficclasses.sluice.io")) {
          client.apiextensions().v1().customResourceDefinitions().withName(crd).waitUntilCondition(
              c -> c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
                  .anyMatch(cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
              1, TimeUnit.MINUTES);
        }
        apply(client, DeployManifestsTest.DEPLOY.resolve("emulator"), image);
        for (String deployment : List.of("sim-qwen3-8b", "sluice")) {
          client.apps().deployments().inNamespace(NAMESPACE).withName(deployment).waitUntilReady(5, TimeUnit.MINUTES);
        }

        // The status leader reports both engines ready and their budgets read from /metrics.
        GenericKubernetesResource pool = client.genericKubernetesResources(MODEL_POOLS).inNamespace(NAMESPACE)
            .withName("qwen").waitUntilCondition(p -> p != null && number(p, "readyPods") == 2
                && number(p, "budgetTokens") > 0, 2, TimeUnit.MINUTES);
        assertThat(number(pool, "budgetTokens")).isPositive();

        try (LocalPortForward forward = client.services().inNamespace(NAMESPACE).withName("sluice").portForward(8080)) {
          HttpResponse<String> response = chatUntilAdmitted(forward.getLocalPort());
          assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
          JsonNode body = JSON.readTree(response.body());
          assertThat(body.path("model").asText()).isEqualTo("qwen3-8b");
          assertThat(body.path("choices").path(0).path("message").path("content").asText()).isNotBlank();
          assertThat(body.path("usage").path("completion_tokens").asInt()).isPositive();
        }
      }
    }
  }

  /** Server-side applies every manifest of the directory, the Sluice image replaced by the one imported. */
  private static void apply(KubernetesClient client, Path dir, String image) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
        for (HasMetadata object : DeployManifestsTest.load(file)) {
          if (object instanceof Deployment deployment) {
            deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getImage().startsWith(DeployManifestsTest.IMAGE))
                .forEach(c -> c.setImage(image));
          }
          client.resource(object).forceConflicts().serverSideApply();
        }
      }
    }
  }

  /** The pods answer 503 until the router has read their KV-cache size; retries until admitted. */
  private static HttpResponse<String> chatUntilAdmitted(int port) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("""
            {"model":"qwen3-8b","max_tokens":16,"messages":[{"role":"user","content":"Hello from K3s"}]}"""))
        .build();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    while (response.statusCode() == 503 && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    }
    return response;
  }

  private static long number(GenericKubernetesResource pool, String field) {
    Object status = pool.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> map && map.get(field) instanceof Number n ? n.longValue() : -1;
  }

  /** The name Jib gave the image: RepoTags of the tarball's manifest.json. */
  static String imageName(Path tar) throws IOException {
    try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream entries = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
        if (entry.getName().equals("manifest.json")) {
          return JSON.readTree(entries.readAllBytes()).path(0).path("RepoTags").path(0).asText();
        }
      }
    }
    throw new IOException(tar + " has no manifest.json: not an image tarball");
  }
}

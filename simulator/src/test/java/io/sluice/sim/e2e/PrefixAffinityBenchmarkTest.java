package io.sluice.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.SluiceServer;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.runtime.PrometheusText;
import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.sluice.sim.server.Faults;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A shared-prefix workload (16 agents, each with its own long system prompt, 96 requests in a
 * seeded random order) through the router in front of four emulated engines with prefix caching.
 * The default profile (with prefix-affinity) keeps an agent on the pod that already caches its
 * prompt; a profile without it spreads requests by headroom. Prints both engines-side hit rates;
 * asserts loosely that affinity raises it.
 */
class PrefixAffinityBenchmarkTest {
  private static final int ENGINES = 4;
  private static final int AGENTS = 16;
  private static final int REQUESTS = 96;

  @Test
  void prefixAffinityRaisesTheEnginesPrefixCacheHitRate() throws Exception {
    double spread = hitRate("{filters: [token-budget], scorers: [{name: token-budget}], picker: {name: max-score}}");
    double affinity = hitRate(null);
    System.out.printf("prefix-cache hit rate on the engines: without prefix-affinity %.3f, default profile %.3f (%.2fx)%n",
        spread, affinity, affinity / spread);
    assertThat(affinity).isGreaterThan(spread * 1.3);
  }

  /** Runs the workload once; returns hits / queries summed over the engines. */
  private static double hitRate(String scoring) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      List<EngineServer> engines = new ArrayList<>();
      for (int i = 0; i < ENGINES; i++) {
        engines.add(EngineServer.deploy(vertx, new EngineOptions("127.0.0.1", 0, "qwen3-8b", List.of(),
            EngineConfig.of(20_000, Profiles.LLAMA3_8B_A100), 50.0, null, 3 + i, "fixed:4",
            EngineOptions.Flavor.VLLM, Faults.NONE)).await(10, TimeUnit.SECONDS));
      }
      String yaml = """
          apiVersion: sluice.io/v1alpha1
          kind: ModelPool
          metadata: {name: agents}
          spec:
            models: [qwen3-8b]
            endpoints: [%s]
            budget: {tokensPerPod: 18000}
          """.formatted(engines.stream().map(e -> "\"http://127.0.0.1:" + e.port() + "\"").collect(Collectors.joining(", ")))
          + (scoring == null ? "" : "  scoring: " + scoring + "\n");
      ConfigLoader.Result config = ConfigLoader.parse(yaml, "bench.yaml");
      assertThat(config.problems()).isEmpty();
      SluiceServer router = SluiceServer.start(vertx, config.config(), SluiceServer.Options.loopback(0, 0))
          .await(10, TimeUnit.SECONDS);
      SplittableRandom random = new SplittableRandom(11);
      for (int i = 0; i < REQUESTS; i++) {
        int agent = random.nextInt(AGENTS);
        String system = ("You are agent " + agent + ". ") + ("Follow the playbook of agent " + agent + " closely. ").repeat(60);
        JsonObject body = new JsonObject().put("model", "qwen3-8b").put("max_tokens", 4)
            .put("messages", new JsonArray()
                .add(new JsonObject().put("role", "system").put("content", system))
                .add(new JsonObject().put("role", "user").put("content", "task " + i)));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + router.port() + "/v1/chat/completions"))
            .header("content-type", "application/json").header("x-sim-output-tokens", "4")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      }
      double hits = 0;
      double queries = 0;
      for (EngineServer engine : engines) {
        String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/metrics"))
            .build(), HttpResponse.BodyHandlers.ofString()).body();
        hits += sum(text, "vllm:prefix_cache_hits_total");
        queries += sum(text, "vllm:prefix_cache_queries_total");
      }
      router.shutdown().await(10, TimeUnit.SECONDS);
      return hits / queries;
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static double sum(String metrics, String name) {
    return PrometheusText.parse(metrics).sum(name);
  }
}

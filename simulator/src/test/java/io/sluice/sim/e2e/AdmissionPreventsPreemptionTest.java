package io.sluice.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.SluiceServer;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.runtime.PrometheusText;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.sim.server.EngineServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two emulated pods with a small KV cache behind the real router; a burst of long and short
 * requests at once. Enforced, admission keeps every pod's KV demand within its cache: zero
 * preemptions, every request completes. Observed only, the same burst makes the engines preempt.
 */
class AdmissionPreventsPreemptionTest {
  private static final int KV_TOKENS = 4096;
  private static final int LONG_OUTPUT = 300;
  private static final int SHORT_OUTPUT = 60;

  enum Mode { ENFORCE, OBSERVE }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void burstOfLongAndShortRequests(Mode mode) throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      List<EngineServer> engines = EmulatedEngines.deploy(vertx, 2, KV_TOKENS, 10.0);
      String yaml = """
          apiVersion: sluice.io/v1alpha1
          kind: ModelPool
          metadata: {name: small}
          spec:
            models: [qwen3-8b]
            endpoints: ["http://127.0.0.1:%d", "http://127.0.0.1:%d"]
            engine: vllm
            budget: {tokensPerPod: auto, utilization: 0.9, safetyFactor: 1.2, defaultOutputTokens: %d}
            queue: {maxWait: 120s}
            admission: {mode: %s}
          """.formatted(engines.get(0).port(), engines.get(1).port(), LONG_OUTPUT,
          mode.name().toLowerCase(java.util.Locale.ROOT));
      ConfigLoader.Result config = ConfigLoader.parse(yaml, "e2e.yaml");
      assertThat(config.problems()).isEmpty();
      SluiceServer router = SluiceServer.start(vertx, config.config(), SluiceServer.Options.loopback(0, 0))
          .await(10, TimeUnit.SECONDS);
      PoolRuntime pool = router.pools().forModel("qwen3-8b");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (pool.admission().pods().stream().anyMatch(p -> p.budget() == 0) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(pool.admission().pods()).allSatisfy(p -> assertThat(p.budget()).isEqualTo((long) (KV_TOKENS * 0.9)));

      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        boolean isLong = i % 2 == 0;
        String content = i + " " + (isLong ? "lorem ipsum dolor sit amet ".repeat(133) : "short question please");
        int output = isLong ? LONG_OUTPUT : SHORT_OUTPUT;
        JsonObject body = new JsonObject().put("model", "qwen3-8b").put("max_tokens", output).put("stream", i % 4 < 2)
            .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
        burst.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port()
                    + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120))
                .header("content-type", "application/json")
                .header("x-sim-output-tokens", Integer.toString(output))
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> response : burst) {
        HttpResponse<String> done = response.get(120, TimeUnit.SECONDS);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
      }
      double preemptions = 0;
      for (EngineServer engine : engines) {
        preemptions += metric(http, engine.port(), "vllm:num_preemptions_total");
      }
      System.out.printf("%s: %d requests completed, %.0f preemptions on the engines%n", mode, burst.size(), preemptions);
      if (mode == Mode.ENFORCE) {
        assertThat(preemptions).isZero();
      } else {
        assertThat(preemptions).isPositive();
      }
      long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (pool.admission().reservedTokens() != 0 && System.nanoTime() < settle) {
        Thread.sleep(5); // the last release runs as its response ends, just after the client has it
      }
      assertThat(pool.admission().reservedTokens()).isZero();
      assertThat(pool.admission().inFlight()).isZero();
      assertThat(pool.admission().queuedRequests()).isZero();
      router.shutdown().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static double metric(HttpClient http, int port, String name) throws Exception {
    String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return PrometheusText.parse(text).sum(name);
  }
}

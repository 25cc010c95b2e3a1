package io.sluice.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.EngineKind;
import io.sluice.router.SluiceServer;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.runtime.EngineMetricsParser;
import io.sluice.router.runtime.EngineSample;
import io.sluice.router.runtime.PoolRuntime;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The router against emulated engines: one that always fails is ejected; metrics pages parse. */
class FaultyEngineTest {

  private static EngineOptions options(int seed, Faults faults, EngineOptions.Flavor flavor) {
    return new EngineOptions("127.0.0.1", 0, "qwen3-8b", List.of(), EngineConfig.of(8_000, Profiles.LLAMA3_8B_A100),
        50.0, null, seed, "fixed:8", flavor, faults);
  }

  @Test
  void aFailingEngineIsRetriedAroundAndEjected() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      EngineServer faulty = EngineServer.deploy(vertx, options(1, new Faults(1.0, 0, 0, false, 0),
          EngineOptions.Flavor.VLLM)).await(10, TimeUnit.SECONDS);
      EngineServer healthy = EngineServer.deploy(vertx, options(2, Faults.NONE, EngineOptions.Flavor.VLLM))
          .await(10, TimeUnit.SECONDS);
      ConfigLoader.Result config = ConfigLoader.parse("""
          apiVersion: sluice.io/v1alpha1
          kind: ModelPool
          metadata: {name: faulty}
          spec:
            models: [qwen3-8b]
            endpoints: ["http://127.0.0.1:%d", "http://127.0.0.1:%d"]
            budget: {tokensPerPod: 7000}
            health: {consecutiveFailures: 3, ejectionTime: 1m}
          """.formatted(faulty.port(), healthy.port()), "faulty.yaml");
      SluiceServer router = SluiceServer.start(vertx, config.config(), SluiceServer.Options.loopback(0, 0))
          .await(10, TimeUnit.SECONDS);
      PoolRuntime pool = router.pools().forModel("qwen3-8b");
      // Idle pods tie and ties are broken at random: send until the faulty pod has been ejected.
      for (int i = 0; i < 60 && !pool.ejected("127.0.0.1:" + faulty.port()); i++) {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + router.port() + "/v1/completions"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"qwen3-8b\",\"prompt\":\"hello " + i + "\"}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      }
      assertThat(pool.ejected("127.0.0.1:" + faulty.port())).isTrue();
      assertThat(pool.ejected("127.0.0.1:" + healthy.port())).isFalse();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (pool.admission().reservedTokens() != 0 && System.nanoTime() < deadline) {
        Thread.sleep(5); // the last release runs as its response ends, just after the client has it
      }
      assertThat(pool.admission().reservedTokens()).isZero();
      router.shutdown().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theEmulatorsMetricsPagesParseInBothFlavors() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient http = HttpClient.newBuilder().build();
    try {
      for (EngineOptions.Flavor flavor : EngineOptions.Flavor.values()) {
        EngineServer engine = EngineServer.deploy(vertx, options(3, Faults.NONE, flavor)).await(10, TimeUnit.SECONDS);
        String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/metrics"))
            .build(), HttpResponse.BodyHandlers.ofString()).body();
        EngineKind kind = flavor == EngineOptions.Flavor.SGLANG ? EngineKind.SGLANG : EngineKind.VLLM;
        EngineSample sample = EngineMetricsParser.parse(kind, text, 0);
        assertThat(sample.kvCapacityTokens()).as(flavor + " capacity").isEqualTo(8_000);
        assertThat(sample.kvCacheUsage()).as(flavor + " kv usage").isZero();
        assertThat(sample.running()).isZero();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}

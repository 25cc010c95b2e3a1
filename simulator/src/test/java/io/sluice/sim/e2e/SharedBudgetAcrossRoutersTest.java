package io.sluice.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.SluiceServer;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.coordination.RedisLedger;
import io.sluice.router.runtime.PrometheusText;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.testing.RedisServer;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Three routers with {@code budget.coordination: redis} in front of the same two emulated pods,
 * sharing one redis-server; a burst of long and short requests spread over the three. Together they
 * never reserve more than a pod's budget (sampled across the routers while the burst runs), the
 * engines never preempt, and every request completes.
 */
class SharedBudgetAcrossRoutersTest {
  private static final int KV_TOKENS = 4096;
  private static final long BUDGET = (long) (KV_TOKENS * 0.9);
  private static final int LONG_OUTPUT = 300;
  private static final int SHORT_OUTPUT = 60;

  @Test
  void threeRoutersShareTwoPodsWithoutPreemption() throws Exception {
    RedisServer redis = RedisServer.start();
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
            budget: {tokensPerPod: auto, utilization: 0.9, safetyFactor: 1.2, defaultOutputTokens: %d, coordination: redis}
            queue: {maxWait: 120s}
          ---
          apiVersion: sluice.io/v1alpha1
          kind: RouterSettings
          metadata: {name: settings}
          spec:
            redis: {address: "%s", timeout: 500ms, leaseTtl: 3s, fallbackReplicas: 3}
          """.formatted(engines.get(0).port(), engines.get(1).port(), LONG_OUTPUT, redis.address());
      ConfigLoader.Result config = ConfigLoader.parse(yaml, "e2e.yaml");
      assertThat(config.problems()).isEmpty();
      List<SluiceServer> routers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        routers.add(SluiceServer.start(vertx, config.config(), SluiceServer.Options.loopback(0, 0))
            .await(10, TimeUnit.SECONDS));
      }
      List<PoolRuntime> pools = routers.stream().map(r -> r.pools().forModel("qwen3-8b")).toList();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (pools.stream().anyMatch(p -> p.coordination() != PoolRuntime.Coordination.SHARED
          || p.admission().pods().stream().anyMatch(b -> b.ceiling() != BUDGET)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(pools).allSatisfy(p -> assertThat(p.coordination()).isEqualTo(PoolRuntime.Coordination.SHARED));

      // Sample what the three routers hold on each pod together, all through the burst.
      AtomicBoolean bursting = new AtomicBoolean(true);
      Map<String, Long> highest = new HashMap<>();
      Thread sampler = new Thread(() -> {
        while (bursting.get()) {
          Map<String, Long> now = new HashMap<>();
          for (PoolRuntime pool : pools) {
            for (PodBudget pod : pool.admission().pods()) {
              now.merge(pod.podId(), pod.reserved(), Long::sum);
            }
          }
          synchronized (highest) {
            now.forEach((pod, held) -> highest.merge(pod, held, Math::max));
          }
          Thread.onSpinWait();
        }
      });
      sampler.start();
      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 36; i++) {
        boolean isLong = i % 2 == 0;
        String content = i + " " + (isLong ? "lorem ipsum dolor sit amet ".repeat(133) : "short question please");
        int output = isLong ? LONG_OUTPUT : SHORT_OUTPUT;
        JsonObject body = new JsonObject().put("model", "qwen3-8b").put("max_tokens", output).put("stream", i % 4 < 2)
            .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
        SluiceServer router = routers.get(i % 3);
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
      bursting.set(false);
      sampler.join(10_000);
      double preemptions = 0;
      for (EngineServer engine : engines) {
        preemptions += metric(http, engine.port(), "vllm:num_preemptions_total");
      }
      long overruns = pools.stream().mapToLong(p -> p.admission().overrunTokens()).sum();
      System.out.printf("3 routers sharing 2 pods of %d tokens through Redis: %d requests, %.0f preemptions, "
          + "most reserved at once per pod %s, overrun tokens %d%n", BUDGET, burst.size(), preemptions, highest,
          overruns);
      assertThat(preemptions).isZero();
      assertThat(highest).hasSize(2);
      assertThat(highest.values()).allSatisfy(held -> assertThat(held).isLessThanOrEqualTo(BUDGET + overruns));
      for (PoolRuntime pool : pools) {
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pool.admission().reservedTokens() != 0 && System.nanoTime() < settle) {
          Thread.sleep(5);
        }
        assertThat(pool.admission().reservedTokens()).isZero();
        assertThat(pool.admission().queuedRequests()).isZero();
      }
      for (SluiceServer router : routers) {
        router.shutdown().await(10, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      redis.close();
    }
  }

  /**
   * A router killed mid-request (its Vert.x closed under streaming requests, no shutdown): its
   * shares lapse after the TTL, so the ledger holds only what the survivor holds; once the
   * survivor has shut down too, the ledger is at exactly zero.
   */
  @Test
  void aRouterKilledMidRequestLosesItsSharesAfterTheTtl() throws Exception {
    RedisServer redis = RedisServer.start();
    Vertx vertx = Vertx.vertx();
    Vertx doomedVertx = Vertx.vertx();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      List<EngineServer> engines = EmulatedEngines.deploy(vertx, 2, KV_TOKENS, 1.0);
      String yaml = """
          apiVersion: sluice.io/v1alpha1
          kind: ModelPool
          metadata: {name: small}
          spec:
            models: [qwen3-8b]
            endpoints: ["http://127.0.0.1:%d", "http://127.0.0.1:%d"]
            engine: vllm
            budget: {tokensPerPod: %d, coordination: redis}
          ---
          apiVersion: sluice.io/v1alpha1
          kind: RouterSettings
          metadata: {name: settings}
          spec:
            redis: {address: "%s", timeout: 500ms, leaseTtl: 1500ms, fallbackReplicas: 2}
          """.formatted(engines.get(0).port(), engines.get(1).port(), BUDGET, redis.address());
      ConfigLoader.Result config = ConfigLoader.parse(yaml, "kill.yaml");
      assertThat(config.problems()).isEmpty();
      SluiceServer survivor = SluiceServer.start(vertx, config.config(), SluiceServer.Options.loopback(0, 0))
          .await(10, TimeUnit.SECONDS);
      SluiceServer doomed = SluiceServer.start(doomedVertx, config.config(), SluiceServer.Options.loopback(0, 0))
          .await(10, TimeUnit.SECONDS);
      PoolRuntime doomedPool = doomed.pools().forModel("qwen3-8b");
      RedisLedger observer = RedisLedger.connect(vertx, new io.sluice.router.config.RedisSettings(redis.address(),
          Duration.ofSeconds(2), null, null, null));
      // Long streams on an engine at real speed, through the doomed router.
      List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        JsonObject body = new JsonObject().put("model", "qwen3-8b").put("max_tokens", 600).put("stream", true)
            .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "go " + i)));
        streams.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + doomed.port()
                    + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
                .header("x-sim-output-tokens", "600")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (doomedPool.admission().inFlight() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(doomedPool.admission().inFlight()).isEqualTo(4);
      List<String> pods = doomedPool.admission().pods().stream().map(PodBudget::podId).toList();
      long heldBefore = 0;
      for (String pod : pods) {
        heldBefore += observer.total("small", pod).toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      long reservedByDoomed = doomedPool.admission().reservedTokens();
      assertThat(heldBefore).isGreaterThanOrEqualTo(reservedByDoomed);

      doomedVertx.close().await(10, TimeUnit.SECONDS); // killed mid-request: no shutdown, no drop
      long killedAt = System.nanoTime();
      long survivorHolds;
      while (true) {
        long total = 0;
        for (String pod : pods) {
          total += observer.total("small", pod).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        survivorHolds = survivor.pools().forModel("qwen3-8b").admission().pods().stream()
            .mapToLong(PodBudget::budget).sum();
        if (total <= survivorHolds || System.nanoTime() - killedAt > TimeUnit.SECONDS.toNanos(10)) {
          assertThat(total).isLessThanOrEqualTo(survivorHolds);
          break;
        }
        Thread.sleep(20);
      }
      System.out.printf("router killed holding %d tokens in %d streams: its shares lapsed %d ms later (TTL 1500 ms)%n",
          reservedByDoomed, streams.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
      for (CompletableFuture<HttpResponse<String>> stream : streams) {
        // Cut mid-stream, or ended short: an error event (the router saw its upstream go first), never [DONE].
        try {
          assertThat(stream.get(30, TimeUnit.SECONDS).body()).doesNotContain("[DONE]");
        } catch (java.util.concurrent.ExecutionException cut) {
          // the connection went down with the router
        }
      }
      survivor.shutdown().await(10, TimeUnit.SECONDS);
      for (String pod : pods) {
        assertThat(observer.total("small", pod).toCompletableFuture().get(5, TimeUnit.SECONDS)).isZero();
      }
      observer.close();
      doomed.ledger().close();
    } finally {
      doomedVertx.close();
      vertx.close().await(10, TimeUnit.SECONDS);
      redis.close();
    }
  }

  private static double metric(HttpClient http, int port, String name) throws Exception {
    String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return PrometheusText.parse(text).sum(name);
  }
}

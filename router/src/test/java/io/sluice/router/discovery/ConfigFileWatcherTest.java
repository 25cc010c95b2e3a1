package io.sluice.router.discovery;

import static io.sluice.router.testing.RouterHarness.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.router.config.ConfigLoader;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static config file is followed at run time: a real router on loopback, fake engines. */
class ConfigFileWatcherTest {
  private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String STREAM =
      "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir Path dir;
  private RouterHarness harness;
  private FakeEngine a;
  private FakeEngine b;
  private Path file;
  private ConfigFileWatcher watcher;

  @BeforeEach
  void start() throws Exception {
    harness = new RouterHarness();
    a = new FakeEngine(harness.vertx, "a").start();
    b = new FakeEngine(harness.vertx, "b").start();
    file = dir.resolve("sluice.yaml");
    String text = RouterHarness.config("m", List.of(a.url()), "");
    Files.writeString(file, text);
    harness.start(text);
    watcher = new ConfigFileWatcher(file, ConfigLoader.parse(text, "t").config(), text,
        harness.router.clusterSink(), harness.router.metrics());
  }

  @AfterEach
  void stop() throws Exception {
    watcher.close();
    a.close();
    b.close();
    harness.close();
  }

  private PoolRuntime pool() {
    return harness.router.pools().named("pool-a");
  }

  @Test
  void addedPodGetsTraffic() throws Exception {
    Files.writeString(file, RouterHarness.config("m", List.of(a.url(), b.url()), ""));
    assertEquals(ConfigFileWatcher.Outcome.APPLIED, watcher.check(false));
    assertEquals(2, pool().pool().pods().size());
    for (int i = 0; i < 40 && b.received.isEmpty(); i++) {
      assertEquals(200, harness.postJson("/v1/chat/completions", CHAT).statusCode());
    }
    assertTrue(!b.received.isEmpty(), "the added pod never got a request");
    assertEquals(ConfigFileWatcher.Outcome.UNCHANGED, watcher.check(false));
  }

  @Test
  void removedPodFinishesItsRequestAndTakesNoMore() throws Exception {
    Files.writeString(file, RouterHarness.config("m", List.of(a.url(), b.url()), ""));
    watcher.check(false);
    a.streamTokens = 40;
    a.tokenIntervalMs = 50; // a stream of about 2 s on pod a
    b.streamTokens = 40;
    b.tokenIntervalMs = 50;
    CompletableFuture<HttpResponse<String>> inFlight = null;
    // Start streams until one is on pod a (the chain may pick either pod).
    for (int i = 0; i < 20 && inFlight == null; i++) {
      int sentSoFar = i;
      int before = a.received.size();
      CompletableFuture<HttpResponse<String>> sent = harness.http.sendAsync(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(harness.baseUrl() + "/v1/chat/completions"))
              .header("content-type", "application/json")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(STREAM)).build(),
          HttpResponse.BodyHandlers.ofString());
      eventually(() -> a.received.size() + b.received.size() > sentSoFar);
      if (a.received.size() > before) {
        inFlight = sent;
      }
    }
    assertTrue(inFlight != null, "no stream reached pod a");
    assertTrue(pool().admission().reservedTokens() > 0);

    Files.writeString(file, RouterHarness.config("m", List.of(b.url()), ""));
    assertEquals(ConfigFileWatcher.Outcome.APPLIED, watcher.check(false));
    assertEquals(List.of("127.0.0.1:" + b.port()), pool().pool().pods().stream().map(p -> p.id()).toList());

    b.streamTokens = 2;
    b.tokenIntervalMs = 1;
    int onA = a.received.size();
    for (int i = 0; i < 10; i++) {
      assertEquals(200, harness.postJson("/v1/chat/completions", CHAT).statusCode());
    }
    assertEquals(onA, a.received.size(), "the removed pod got new requests");

    HttpResponse<String> finished = inFlight.get();
    assertEquals(200, finished.statusCode());
    assertTrue(finished.body().contains("data: [DONE]"), finished.body());
    eventually(() -> pool().admission().reservedTokens() == 0 && pool().admission().inFlight() == 0);
  }

  @Test
  void whatARemovedPodRecordsLaterGoesToOneDepartedSeriesNotBackToItsOwn() throws Exception {
    RouterMetrics metrics = harness.router.metrics();
    String podA = "127.0.0.1:" + a.port();
    Files.writeString(file, RouterHarness.config("m", List.of(a.url(), b.url()), ""));
    assertEquals(ConfigFileWatcher.Outcome.APPLIED, watcher.check(false));
    metrics.upstreamError("pool-a", podA, "stream");
    assertTrue(metrics.scrape().contains(errors(podA, "stream") + " 1.0"), metrics.scrape());

    Files.writeString(file, RouterHarness.config("m", List.of(b.url()), ""));
    assertEquals(ConfigFileWatcher.Outcome.APPLIED, watcher.check(false));
    assertFalse(metrics.scrape().contains("pod=\"" + podA + "\""), "pod a's series are dropped when it leaves");
    // a stream still in flight on pod a fails after it left
    metrics.upstreamError("pool-a", podA, "stream");
    metrics.upstreamError("pool-a", podA, "stream");
    String scrape = metrics.scrape();
    assertFalse(scrape.contains("pod=\"" + podA + "\""), "a departed pod's series came back: " + scrape);
    assertTrue(scrape.contains(errors(RouterMetrics.DEPARTED, "stream") + " 2.0"), scrape);

    Files.writeString(file, RouterHarness.config("m", List.of(a.url(), b.url()), ""));
    assertEquals(ConfigFileWatcher.Outcome.APPLIED, watcher.check(false));
    metrics.upstreamError("pool-a", podA, "stream");
    assertTrue(metrics.scrape().contains(errors(podA, "stream") + " 1.0"), "back in the pool, it counts afresh");
  }

  private static String errors(String pod, String reason) {
    return "sluice_upstream_errors_total{pod=\"" + pod + "\",pool=\"pool-a\",reason=\"" + reason + "\"}";
  }

  @Test
  void invalidEditIsRefusedAndTheLastGoodConfigStays() throws Exception {
    Files.writeString(file, RouterHarness.config("m", List.of(a.url(), b.url()), "")
        .replace("tokensPerPod: 100000", "tokensPerPod: -5"));
    assertEquals(ConfigFileWatcher.Outcome.REJECTED, watcher.check(false));
    assertEquals(1, pool().pool().pods().size());
    assertEquals(100_000, pool().admission().pods().get(0).budget());
    assertEquals(200, harness.postJson("/v1/chat/completions", CHAT).statusCode());
    // Refused once, not on every check of the same text.
    assertEquals(ConfigFileWatcher.Outcome.UNCHANGED, watcher.check(false));
    String metrics = harness.get(harness.adminUrl() + "/metrics").body();
    assertTrue(metrics.contains("sluice_config_reloads_total{result=\"rejected\"} 1.0"), metrics);
    assertTrue(metrics.contains("sluice_config_rejected_total{kind=\"ConfigFile\""), metrics);

    Files.writeString(file, "not: [valid");
    assertEquals(ConfigFileWatcher.Outcome.REJECTED, watcher.check(false));
    assertEquals(200, harness.postJson("/v1/chat/completions", CHAT).statusCode());
  }

  @Test
  void aPoolThatCannotBeBuiltRollsBackTheWholeEdit() throws Exception {
    String unbuildable = """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: pool-b}
        spec:
          models: [other]
          endpoints: ["%s"]
          engine: vllm
          tokenizer: {type: huggingface, path: "/nonexistent/sluice-test/tokenizer.json"}
        """.formatted(b.url());
    // pool-a's new budget is applied first, then pool-b fails to build: both must be undone.
    Files.writeString(file, RouterHarness.config("m", List.of(a.url(), b.url()), unbuildable)
        .replace("tokensPerPod: 100000", "tokensPerPod: 3000"));
    assertEquals(ConfigFileWatcher.Outcome.REJECTED, watcher.check(false));
    assertEquals(null, harness.router.pools().named("pool-b"));
    assertEquals(1, pool().pool().pods().size());
    assertEquals(100_000, pool().admission().pods().get(0).budget());
    assertEquals(200, harness.postJson("/v1/chat/completions", CHAT).statusCode());
  }

  @Test
  void poolsAndClassesAreAddedAndRemovedOnTheTimer() throws Exception {
    watcher.start(Duration.ofMillis(100));
    String second = """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: pool-b}
        spec:
          models: [other]
          endpoints: ["%s"]
          engine: vllm
          budget: {tokensPerPod: 5000}
        """.formatted(b.url());
    Files.writeString(file, RouterHarness.config("m", List.of(a.url()), second));
    eventually(() -> harness.router.pools().named("pool-b") != null);
    assertEquals(200, harness.postJson("/v1/chat/completions", CHAT.replace("\"m\"", "\"other\"")).statusCode());
    assertEquals(1, b.received.size());

    Files.writeString(file, RouterHarness.config("m", List.of(a.url()), "")
        .replace("tokensPerPod: 100000", "tokensPerPod: 2000"));
    eventually(() -> harness.router.pools().named("pool-b") == null);
    eventually(() -> pool().admission().pods().get(0).budget() == 2000);
    assertEquals(404, harness.postJson("/v1/chat/completions", CHAT.replace("\"m\"", "\"other\"")).statusCode());
    String metrics = harness.get(harness.adminUrl() + "/metrics").body();
    assertTrue(metrics.contains("sluice_config_reloads_total{result=\"applied\"} 2.0"), metrics);
  }
}

package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.runtime.EngineSample;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Passive health, retries with the reservation moving, requeue on engine pressure, scraping. */
class HealthAndRetryTest {
  private static final String BODY = "{\"model\":\"m1\",\"prompt\":\"x\"}";

  private static String config(FakeEngine a, FakeEngine b, String health) {
    return pool(List.of(a, b), health);
  }

  @Test
  void aFailingPodIsRetriedAroundThenEjectedThenReinstated() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine broken = new FakeEngine(harness.vertx, "broken").start();
      FakeEngine good = new FakeEngine(harness.vertx, "good").start();
      broken.mode = FakeEngine.Mode.ERROR_500;
      harness.start(config(broken, good, "{consecutiveFailures: 2, ejectionTime: 1s}"));
      PoolRuntime runtime = harness.router.pools().forModel("m1");
      String brokenId = "127.0.0.1:" + broken.port();
      // Idle pods tie and ties are broken at random: send until the broken pod has failed twice.
      for (int i = 0; i < 40 && broken.received.size() < 2; i++) {
        HttpResponse<String> response = harness.postJson("/v1/completions", BODY);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("hello from good");
      }
      assertThat(runtime.ejected(brokenId)).isTrue();
      for (int i = 0; i < 10; i++) {
        assertThat(harness.postJson("/v1/completions", BODY).statusCode()).isEqualTo(200);
      }
      assertThat(broken.received).hasSize(2); // two failures eject it; no request reached it after
      assertThat(harness.get(harness.adminUrl() + "/metrics").body())
          .contains("sluice_pod_ejected{pod=\"" + brokenId + "\",pool=\"pool-a\"} 1.0");

      broken.mode = FakeEngine.Mode.NORMAL;
      RouterHarness.eventually(() -> !runtime.ejected(brokenId));
      for (int i = 0; i < 20; i++) { // idle pods tie; ties are broken at random
        assertThat(harness.postJson("/v1/completions", BODY).statusCode()).isEqualTo(200);
      }
      assertThat(broken.received.size()).isGreaterThan(2);
      RouterHarness.eventually(() -> runtime.admission().reservedTokens() == 0);
    }
  }

  /**
   * A pod still broken when its ejection runs out used to take a whole new run of failures
   * (consecutiveFailures of them) before it was out again; on probation it takes one request,
   * whose failure ejects it at once (and the request goes on to the good pod).
   */
  @Test
  void aPodStillBrokenAfterItsEjectionCostsOneAttemptPerReturn() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine broken = new FakeEngine(harness.vertx, "broken").start();
      FakeEngine good = new FakeEngine(harness.vertx, "good").start();
      broken.mode = FakeEngine.Mode.ERROR_500;
      harness.start(config(broken, good, "{consecutiveFailures: 3, ejectionTime: 200ms, maxEjectionTime: 200ms}"));
      PoolRuntime runtime = harness.router.pools().forModel("m1");
      String brokenId = "127.0.0.1:" + broken.port();
      for (int i = 0; i < 60 && !runtime.ejected(brokenId); i++) {
        assertThat(harness.postJson("/v1/completions", BODY).statusCode()).isEqualTo(200);
      }
      assertThat(runtime.ejected(brokenId)).isTrue();
      assertThat(broken.received).hasSize(3); // the first run: consecutiveFailures

      for (int round = 1; round <= 2; round++) {
        RouterHarness.eventually(() -> !runtime.ejected(brokenId)); // back, on probation
        int before = broken.received.size();
        for (int i = 0; i < 60 && !runtime.ejected(brokenId); i++) {
          assertThat(harness.postJson("/v1/completions", BODY).statusCode()).isEqualTo(200);
        }
        assertThat(runtime.ejected(brokenId)).isTrue();
        assertThat(broken.received.size() - before).as("attempts on the broken pod after return %d", round)
            .isEqualTo(1);
      }
      RouterHarness.eventually(() -> runtime.admission().reservedTokens() == 0);
    }
  }

  @Test
  void anEngineUnderPressureSendsTheRequestBackToTheQueue() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine busy = new FakeEngine(harness.vertx, "busy").start();
      FakeEngine good = new FakeEngine(harness.vertx, "good").start();
      busy.mode = FakeEngine.Mode.BUSY_503;
      harness.start(config(busy, good, "{maxRequeues: 3}"));
      // Idle pods tie and ties are broken at random: send until one request has met the busy pod.
      for (int i = 0; i < 40 && busy.received.isEmpty(); i++) {
        HttpResponse<String> response = harness.postJson("/v1/completions", BODY);
        assertThat(response.statusCode()).isEqualTo(200);
      }
      assertThat(busy.received).isNotEmpty();
      String metrics = harness.get(harness.adminUrl() + "/metrics").body();
      assertThat(metrics).contains("reason=\"pressure-503\"")
          .contains("sluice_admission_outcomes_total{class=\"default\",outcome=\"queued\",pool=\"pool-a\"}");
      assertThat(harness.router.pools().forModel("m1").ejected("127.0.0.1:" + busy.port()))
          .as("one 503 does not eject").isFalse();
    }
  }

  @Test
  void whenEveryPodStaysBusyTheEnginesAnswerPassesThrough() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine a = new FakeEngine(harness.vertx, "a").start();
      FakeEngine b = new FakeEngine(harness.vertx, "b").start();
      a.mode = FakeEngine.Mode.BUSY_503;
      b.mode = FakeEngine.Mode.BUSY_503;
      harness.start(config(a, b, "{maxRequeues: 2}"));
      HttpResponse<String> response = harness.postJson("/v1/completions", BODY);
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body()).isEqualTo(FakeEngine.BUSY);
      assertThat(a.received.size() + b.received.size()).isEqualTo(3);
      RouterHarness.eventually(() -> harness.router.pools().forModel("m1").admission().reservedTokens() == 0);
    }
  }

  private static String pool(List<FakeEngine> engines, String health) {
    return """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: pool-a}
        spec:
          models: [m1]
          endpoints: [%s]
          budget: {tokensPerPod: 100000}
          health: %s
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec: {accessLog: false}
        """.formatted(engines.stream().map(e -> "\"" + e.url() + "\"").collect(Collectors.joining(", ")), health);
  }

  @Test
  void aPodAnsweringOnly503IsEjectedAfterAFewRequests() throws Exception {
    // issue 21.2: a pod answering 503 at once (engine down behind a sidecar) was never ejected and
    // absorbed most attempts, its instant refusals leaving it the most headroom
    try (RouterHarness harness = new RouterHarness()) {
      List<FakeEngine> engines = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        engines.add(new FakeEngine(harness.vertx, "e" + i).start());
      }
      FakeEngine down = engines.get(3);
      down.mode = FakeEngine.Mode.BUSY_503;
      harness.start(pool(engines, "{ejectionTime: 1m}"));
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        answers.add(harness.http.sendAsync(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(harness.baseUrl() + "/v1/completions")).header("content-type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString()));
        if (answers.size() % 16 == 0) {
          CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
      }
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      long refused = 0;
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        assertThat(answer.get().statusCode()).as(answer.get().body()).isIn(200, 503);
        refused += answer.get().statusCode() == 503 ? 1 : 0;
      }
      // Before the ejection, retries beyond the pool's retry budget pass the pod's 503 on.
      assertThat(refused).as("503s of 200 answers (the audit saw 95%)").isLessThanOrEqualTo(10);
      assertThat(harness.router.pools().forModel("m1").ejected("127.0.0.1:" + down.port())).isTrue();
      assertThat(down.received.size()).as("attempts the down pod absorbed of 200 requests").isLessThanOrEqualTo(20);
    }
  }

  @Test
  void theRetryBudgetBoundsRetriesPoolWide() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine a = new FakeEngine(harness.vertx, "a").start();
      FakeEngine b = new FakeEngine(harness.vertx, "b").start();
      a.mode = FakeEngine.Mode.BUSY_503;
      b.mode = FakeEngine.Mode.BUSY_503;
      harness.start(config(a, b, "{maxRequeues: 3, retryBudgetPercent: 0, minRetryConcurrency: 0}"));
      HttpResponse<String> response = harness.postJson("/v1/completions", BODY);
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(a.received.size() + b.received.size()).as("no budget: no retry").isEqualTo(1);
      assertThat(harness.get(harness.adminUrl() + "/metrics").body())
          .contains("sluice_upstream_retry_budget_exhausted_total{pool=\"pool-a\"} 1.0");
      RouterHarness.eventually(() -> harness.router.pools().forModel("m1").retries().retrying() == 0);
    }
  }

  @Test
  void noMoreThanMaxEjectedPercentOfThePodsAreOutAtOnce() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine a = new FakeEngine(harness.vertx, "a").start();
      FakeEngine b = new FakeEngine(harness.vertx, "b").start();
      a.mode = FakeEngine.Mode.ERROR_500;
      b.mode = FakeEngine.Mode.ERROR_500;
      harness.start(config(a, b, "{consecutiveFailures: 1, ejectionTime: 1m, maxEjectedPercent: 50}"));
      for (int i = 0; i < 6; i++) {
        assertThat(harness.postJson("/v1/completions", BODY).statusCode()).isEqualTo(500);
      }
      PoolRuntime runtime = harness.router.pools().forModel("m1");
      assertThat(List.of(runtime.ejected("127.0.0.1:" + a.port()), runtime.ejected("127.0.0.1:" + b.port())))
          .containsExactlyInAnyOrder(true, false);
    }
  }

  @Test
  void engineMetricsAreScrapedAndGoStale() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine a = new FakeEngine(harness.vertx, "a").start();
      FakeEngine b = new FakeEngine(harness.vertx, "b").start();
      a.metricsRunning = 7;
      a.metricsWaiting = 3;
      harness.start(config(a, b, "{scrapeInterval: 100ms, metricsStaleAfter: 1s}"));
      PoolRuntime runtime = harness.router.pools().forModel("m1");
      String id = "127.0.0.1:" + a.port();
      RouterHarness.eventually(() -> runtime.freshSample(id) != null && runtime.freshSample(id).running() == 7);
      EngineSample sample = runtime.freshSample(id);
      assertThat(sample.waiting()).isEqualTo(3);
      assertThat(sample.kvCacheUsage()).isEqualTo(0.5);
      a.close();
      RouterHarness.eventually(() -> runtime.freshSample(id) == null);
      assertThat(harness.get(harness.adminUrl() + "/metrics").body())
          .contains("sluice_engine_scrape_errors_total{pod=\"" + id + "\",pool=\"pool-a\"}");
    }
  }
}

package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Token-budget admission through the real proxy, against a fake engine. */
class AdmissionEndToEndTest {
  /** ~400 prompt tokens by code points / 4, plus 200 output tokens: reserves 608 of a 1000 budget. */
  private static final String BIG_STREAM = "{\"model\":\"m1\",\"stream\":true,\"max_tokens\":200,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(1580) + "\"}]}";

  private static String pool(String extraSpec) {
    return """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: pool-a}
        spec:
          models: [m1]
          endpoints: ["%s"]
          budget: {tokensPerPod: 1000, defaultOutputTokens: 200}
        """ + extraSpec;
  }


  private static HttpRequest request(RouterHarness harness, String body) {
    return HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  /** Sends one long stream and waits until it holds its reservation. */
  private static CompletableFuture<HttpResponse<String>> occupy(RouterHarness harness) throws InterruptedException {
    CompletableFuture<HttpResponse<String>> first =
        harness.http.sendAsync(request(harness, BIG_STREAM), HttpResponse.BodyHandlers.ofString());
    RouterHarness.eventually(() -> harness.router.pools().forModel("m1").admission().reservedTokens() > 0);
    return first;
  }

  @Test
  void aRequestThatDoesNotFitWaitsForTheOneBeforeItAndBothComplete() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      engine.streamTokens = 20;
      engine.tokenIntervalMs = 20;
      harness.start(pool("").formatted(engine.url()));
      PoolRuntime runtime = harness.router.pools().forModel("m1");
      CompletableFuture<HttpResponse<String>> first = occupy(harness);
      CompletableFuture<HttpResponse<String>> second =
          harness.http.sendAsync(request(harness, BIG_STREAM), HttpResponse.BodyHandlers.ofString());
      RouterHarness.eventually(() -> runtime.admission().queuedRequests() == 1);
      RouterHarness.eventually(() -> engine.received.size() == 1); // the admitted one is on its way
      assertThat(engine.received).hasSize(1); // and only that one: the other waits in the queue

      assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      HttpResponse<String> secondResponse = second.get(10, TimeUnit.SECONDS);
      assertThat(secondResponse.statusCode()).isEqualTo(200);
      assertThat(secondResponse.body()).contains("data: [DONE]").doesNotContain("\"usage\"");
      RouterHarness.eventually(() -> runtime.admission().reservedTokens() == 0);
      assertThat(runtime.admission().queuedRequests()).isZero();
      assertThat(engine.received).allSatisfy(body ->
          assertThat(body.getJsonObject("stream_options").getBoolean("include_usage")).isTrue());
      String metrics = harness.get(harness.adminUrl() + "/metrics").body();
      assertThat(metrics)
          .contains("sluice_admission_outcomes_total{class=\"default\",outcome=\"queued\",pool=\"pool-a\"} 1.0")
          .contains("sluice_admission_outcomes_total{class=\"default\",outcome=\"admitted_from_queue\",pool=\"pool-a\"} 1.0")
          .contains("sluice_queue_wait_seconds_count{class=\"default\",pool=\"pool-a\"} 1")
          .contains("sluice_pod_budget_tokens{pod=\"127.0.0.1:" + engine.port() + "\",pool=\"pool-a\"} 1000.0")
          .contains("sluice_estimate_ratio_count{part=\"output\",pool=\"pool-a\"} 2");
    }
  }

  @Test
  void aClientThatAskedForUsageStillGetsIt() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      harness.start(pool("").formatted(engine.url()));
      String body = BIG_STREAM.replace("\"stream\":true,", "\"stream\":true,\"stream_options\":{\"include_usage\":true},");
      HttpResponse<String> response = harness.http.send(request(harness, body), HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).contains("\"usage\"");
    }
  }

  @Test
  void fullQueueAnswers429WithRetryAfter() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      engine.streamTokens = 50;
      engine.tokenIntervalMs = 20;
      harness.start(pool("  queue: {maxLength: 0}\n").formatted(engine.url()));
      CompletableFuture<HttpResponse<String>> first = occupy(harness);
      HttpResponse<String> refused = harness.http.send(request(harness, BIG_STREAM), HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("retry-after")).isPresent();
      assertThat(ErrorResponsesTest.error(refused).getString("code")).isEqualTo("queue_full");
      assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void waitingPastMaxWaitAnswers503AndAClientLeavingTheQueueFreesItsPlace() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      engine.streamTokens = 200;
      engine.tokenIntervalMs = 20;
      harness.start(pool("  queue: {maxWait: 600ms}\n").formatted(engine.url()));
      PoolRuntime runtime = harness.router.pools().forModel("m1");
      CompletableFuture<HttpResponse<String>> first = occupy(harness);
      HttpResponse<String> expired = harness.http.send(request(harness, BIG_STREAM), HttpResponse.BodyHandlers.ofString());
      assertThat(expired.statusCode()).isEqualTo(503);
      assertThat(expired.headers().firstValue("retry-after")).isPresent();
      assertThat(ErrorResponsesTest.error(expired).getString("code")).isEqualTo("queue_timeout");

      try (java.net.Socket leaving = new java.net.Socket("127.0.0.1", harness.router.port())) {
        leaving.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
            + "Content-Type: application/json\r\nContent-Length: " + BIG_STREAM.length() + "\r\n\r\n" + BIG_STREAM)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        RouterHarness.eventually(() -> runtime.admission().queuedRequests() == 1);
      }
      RouterHarness.eventually(() -> runtime.admission().queuedRequests() == 0);
      RouterHarness.eventually(() -> runtime.admission().reservedTokens() == 0);
      RouterHarness.eventually(() -> engine.received.size() == 1); // the admitted one is on its way
      assertThat(engine.received).hasSize(1); // and only that one: the other waits in the queue
      assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aPromptLargerThanAnyPodIsRefusedAtOnce() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      harness.start(pool("").formatted(engine.url()));
      String huge = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "y".repeat(8000) + "\"}]}";
      HttpResponse<String> response = harness.postJson("/v1/chat/completions", huge);
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(ErrorResponsesTest.error(response).getString("code")).isEqualTo("context_length_exceeded");
      assertThat(engine.received).isEmpty();
    }
  }

  @Test
  void autoBudgetIsReadFromTheEngineMetrics() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      engine.kvBlocks = 500;
      harness.start("""
          apiVersion: sluice.io/v1alpha1
          kind: ModelPool
          metadata: {name: pool-a}
          spec:
            models: [m1]
            endpoints: ["%s"]
            budget: {tokensPerPod: auto, utilization: 0.5}
          """.formatted(engine.url()));
      PoolRuntime runtime = harness.router.pools().forModel("m1");
      RouterHarness.eventually(() -> runtime.admission().pods().get(0).budget() == 4000);
      assertThat(harness.postJson("/v1/completions", "{\"model\":\"m1\",\"prompt\":\"hi\"}").statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void aPartitionedAutoBudgetIsTheEngineKvSizeDividedByTheReplicas() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      engine.kvBlocks = 500;
      harness.start("""
          apiVersion: sluice.io/v1alpha1
          kind: ModelPool
          metadata: {name: pool-a}
          spec:
            models: [m1]
            endpoints: ["%s"]
            budget: {tokensPerPod: auto, utilization: 0.5, coordination: partitioned}
          """.formatted(engine.url()));
      PoolRuntime runtime = harness.router.pools().forModel("m1");
      RouterHarness.eventually(() -> runtime.admission().pods().get(0).budget() == 4000); // scraped
      harness.router.clusterSink().setRouterReplicas(2);
      assertThat(runtime.admission().pods().get(0).budget()).isEqualTo(2000);
      engine.kvBlocks = 1000; // the next scrape is divided too
      RouterHarness.eventually(() -> runtime.admission().pods().get(0).budget() == 4000);
      harness.router.clusterSink().setRouterReplicas(1);
      assertThat(runtime.admission().pods().get(0).budget()).isEqualTo(8000);
    }
  }

  @Test
  void estimateEndpointShowsTheCost() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      harness.start(pool("").formatted(engine.url()));
      HttpResponse<String> response = harness.http.send(HttpRequest.newBuilder(
              URI.create(harness.adminUrl() + "/estimate"))
          .POST(HttpRequest.BodyPublishers.ofString(BIG_STREAM)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject estimate = new JsonObject(response.body());
      assertThat(estimate.getString("pool")).isEqualTo("pool-a");
      assertThat(estimate.getLong("promptTokens")).isPositive();
      assertThat(estimate.getLong("outputTokens")).isEqualTo(200);
      assertThat(estimate.getLong("reservationTokens") % 16).isZero();
      assertThat(estimate.getJsonObject("source").getString("output")).isNotBlank();
      HttpResponse<String> completions = harness.http.send(HttpRequest.newBuilder(
              URI.create(harness.adminUrl() + "/estimate?api=completions"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m1\",\"prompt\":\"hello\",\"max_tokens\":5}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(new JsonObject(completions.body()).getLong("outputTokens")).isEqualTo(5);
      assertThat(engine.received).isEmpty();
      assertThat(harness.router.pools().forModel("m1").admission().reservedTokens()).isZero();
    }
  }

  private static String metricsPage(RouterHarness harness) {
    try {
      return harness.get(harness.adminUrl() + "/metrics").body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One 608-token stream that lasts about 1.2 s, run to the end, gives the pool a drain rate of at
   * most 608 tokens/s; with a second one holding 608 of the pod's 1,000 tokens, a third of 608
   * tokens needs 216 more than is free and is predicted to wait at least 216 / 608 s = 355 ms.
   */
  private static PoolRuntime drainRateKnownAndPodHeld(RouterHarness harness, FakeEngine engine, String objective)
      throws Exception {
    engine.streamTokens = 60;
    engine.tokenIntervalMs = 20;
    harness.start(pool("  admission: {objective: " + objective + "}\n").formatted(engine.url()));
    PoolRuntime runtime = harness.router.pools().forModel("m1");
    assertThat(harness.http.send(request(harness, BIG_STREAM), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
    // The client has the whole answer a moment before the router releases its tokens: wait for
    // that, or the next request's "held" check would see these tokens instead of its own.
    RouterHarness.eventually(() -> runtime.admission().reservedTokens() == 0);
    occupy(harness);
    return runtime;
  }

  @Test
  void aRequestPredictedToMissItsObjectiveIsRefusedAtOnceWith429() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      PoolRuntime runtime = drainRateKnownAndPodHeld(harness, engine, "{ttft: 300ms, tpot: 1s}");
      long before = System.nanoTime();
      HttpResponse<String> refused = harness.http.send(request(harness, BIG_STREAM), HttpResponse.BodyHandlers.ofString());
      long tookMs = (System.nanoTime() - before) / 1_000_000;
      assertThat(refused.statusCode()).isEqualTo(429);
      JsonObject error = ErrorResponsesTest.error(refused);
      assertThat(error.getString("code")).isEqualTo("slo_unattainable");
      assertThat(error.getString("type")).isEqualTo("rate_limit_error");
      assertThat(error.getString("message")).contains("300 ms time-to-first-token objective");
      assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 60L);
      assertThat(tookMs).as("refused at arrival, not after waiting for the 1.2 s stream").isLessThan(1000);
      assertThat(runtime.admission().queuedRequests()).isZero();
      assertThat(engine.received).hasSize(2); // the refused request never reached the engine
      RouterHarness.eventually(() -> runtime.admission().reservedTokens() == 0);
      // Both streams served were judged, and their first tokens compared with the wait predicted (none).
      RouterHarness.eventually(() -> metricsPage(harness).contains(
          "sluice_slo_requests_total{class=\"default\",outcome=\"met\",pool=\"pool-a\"} 2.0"));
      String metrics = metricsPage(harness);
      assertThat(metrics)
          .contains("sluice_admission_outcomes_total{class=\"default\",outcome=\"rejected_slo\",pool=\"pool-a\"} 1.0")
          .contains("sluice_slo_requests_total{class=\"default\",outcome=\"refused\",pool=\"pool-a\"} 1.0")
          .contains("sluice_ttft_prediction_error_seconds_count{direction=\"late\",pool=\"pool-a\"} 2");
    }
  }

  @Test
  void withOnMissServeThePredictedMissWaitsAndIsCountedAsMissed() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      PoolRuntime runtime = drainRateKnownAndPodHeld(harness, engine, "{ttft: 300ms, onMiss: serve}");
      HttpResponse<String> served = harness.http.send(request(harness, BIG_STREAM), HttpResponse.BodyHandlers.ofString());
      assertThat(served.statusCode()).isEqualTo(200);
      RouterHarness.eventually(() -> metricsPage(harness).contains(
          "sluice_slo_requests_total{class=\"default\",outcome=\"missed_ttft\",pool=\"pool-a\"} 1.0"));
      String metrics = metricsPage(harness);
      assertThat(metrics)
          .contains("sluice_slo_requests_total{class=\"default\",outcome=\"met\",pool=\"pool-a\"} 2.0")
          .contains("sluice_admission_outcomes_total{class=\"default\",outcome=\"would_miss\",pool=\"pool-a\"} 1.0")
          .contains("sluice_slo_requests_total{class=\"default\",outcome=\"missed_ttft\",pool=\"pool-a\"} 1.0");
    }
  }
}

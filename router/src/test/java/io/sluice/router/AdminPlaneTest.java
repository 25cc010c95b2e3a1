package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.LogLines;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Health, readiness and metrics on the admin port. */
class AdminPlaneTest {

  @Test
  void healthReadinessAndMetrics() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      harness.start(RouterHarness.config("m1", List.of(engine.url()), ""));
      assertThat(harness.get(harness.adminUrl() + "/healthz").statusCode()).isEqualTo(200);
      assertThat(harness.get(harness.adminUrl() + "/readyz").statusCode()).isEqualTo(200);

      harness.postJson("/v1/completions", "{\"model\":\"m1\",\"prompt\":\"x\"}");
      harness.postJson("/v1/completions", "{\"model\":\"other\",\"prompt\":\"x\"}");
      String metrics = harness.get(harness.adminUrl() + "/metrics").body();
      assertThat(metrics)
          .contains("sluice_requests_total{api=\"completions\",model=\"m1\",pool=\"pool-a\",status=\"200\"} 1.0")
          .contains("sluice_requests_total{api=\"completions\",model=\"none\",pool=\"none\",status=\"404\"} 1.0")
          .contains("sluice_request_duration_seconds_bucket")
          .contains("sluice_upstream_response_duration_seconds_count{pool=\"pool-a\"} 1")
          .contains("sluice_requests_active 0.0")
          .contains("sluice_pool_pods{pool=\"pool-a\"} 1.0")
          .doesNotContain("model=\"other\"");
      // The admin port does not serve the API, and the data port does not serve metrics.
      assertThat(harness.get(harness.baseUrl() + "/metrics").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void notReadyWhileAReadinessGateIsClosed() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      harness.start(RouterHarness.config("m1", List.of(engine.url()), ""));
      java.util.concurrent.atomic.AtomicBoolean synced = new java.util.concurrent.atomic.AtomicBoolean();
      harness.router.addReadinessGate(synced::get); // as discovery's informers before they have listed
      assertThat(harness.get(harness.adminUrl() + "/readyz").statusCode()).isEqualTo(503);
      synced.set(true);
      assertThat(harness.get(harness.adminUrl() + "/readyz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void notReadyWhileDraining() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      harness.start(RouterHarness.config("m1", List.of(engine.url()), ""));
      assertThat(harness.router.ready()).isTrue();
      harness.router.shutdown();
      assertThat(harness.router.ready()).isFalse();
    }
  }

  /**
   * issue 16: /readyz said 200 while every request got 503 no_ready_pod, because a pool whose
   * engines have not reported their KV size has a budget of 0. Readiness now means "can serve",
   * per pool and with the reason; the 503 says why; the router logs the change once.
   */
  @Test
  void notReadyUntilEveryPoolHasAPodWithABudgetAndEachSaysWhy() throws Exception {
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Logger log = (Logger) LoggerFactory.getLogger(SluiceServer.class);
    log.addAppender(lines);
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine fixed = new FakeEngine(harness.vertx, "a").start();
      FakeEngine auto = new FakeEngine(harness.vertx, "b").start();
      auto.kvBlocks = 0; // up, but it has not sized its KV cache (or reports no cache_config_info)
      harness.start(RouterHarness.config("m1", List.of(fixed.url()), """
          apiVersion: sluice.io/v1alpha1
          kind: ModelPool
          metadata: {name: pool-b}
          spec:
            models: [m2]
            endpoints: ["%s"]
            engine: vllm
            budget: {tokensPerPod: auto}
            health: {scrapeInterval: 100ms}
          """.formatted(auto.url())));

      HttpResponse<String> readyz = harness.get(harness.adminUrl() + "/readyz");
      assertThat(readyz.statusCode()).isEqualTo(503);
      JsonObject body = new JsonObject(readyz.body());
      assertThat(body.getString("status")).isEqualTo("not ready");
      assertThat(body.getString("reason")).isEqualTo("1 of 2 pools cannot serve");
      assertThat(body.getJsonObject("pools").getJsonObject("pool-a").getBoolean("ready")).isTrue();
      assertThat(body.getJsonObject("pools").getJsonObject("pool-b").getString("reason"))
          .contains("no pod has reported its KV-cache size yet").contains("spec.budget.tokensPerPod");

      // The pool that can serve does; the other's clients are told why.
      assertThat(harness.postJson("/v1/completions", "{\"model\":\"m1\",\"prompt\":\"x\"}").statusCode())
          .isEqualTo(200);
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> refused = harness.postJson("/v1/completions", "{\"model\":\"m2\",\"prompt\":\"x\"}");
        assertThat(refused.statusCode()).isEqualTo(503);
        JsonObject error = new JsonObject(refused.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("no_ready_pod");
        assertThat(error.getString("message")).contains("pool 'pool-b'").contains("KV-cache size");
      }
      // Logged once, however many requests were refused (after the first seconds' grace).
      RouterHarness.eventually(() -> warnings(lines, "pool 'pool-b' cannot serve") == 1);

      auto.kvBlocks = 1000; // the engine reports its cache: the pool gets a budget at the next scrape
      RouterHarness.eventually(() -> harness.router.ready());
      assertThat(new JsonObject(harness.get(harness.adminUrl() + "/readyz").body()).getString("status"))
          .isEqualTo("ready");
      RouterHarness.eventually(() -> LogLines.of(lines).stream()
          .anyMatch(line -> line.getFormattedMessage().equals("pool 'pool-b' can serve again")));
      assertThat(warnings(lines, "pool 'pool-b' cannot serve")).isEqualTo(1);
      fixed.close();
      auto.close();
    } finally {
      log.detachAppender(lines);
    }
  }

  private static long warnings(ListAppender<ILoggingEvent> lines, String prefix) {
    return LogLines.of(lines).stream().filter(line -> line.getFormattedMessage().startsWith(prefix)).count();
  }
}

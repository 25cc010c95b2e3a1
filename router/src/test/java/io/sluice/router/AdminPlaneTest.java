package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}

package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pods that refuse, drop or stall: retry once on another pod, else 502; a stall past the timeout is 504. */
class UpstreamFailuresTest {
  private static final String BODY = "{\"model\":\"m1\",\"prompt\":\"x\"}";

  private static String closedPortUrl() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }
  }

  @Test
  void refusedConnectionIsRetriedOnAnotherPod() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine good = new FakeEngine(harness.vertx, "good").start();
      String closed = closedPortUrl();
      int closedPort = java.net.URI.create(closed).getPort();
      harness.start(RouterHarness.config("m1", List.of(closed, good.url()), ""));
      String refusedSeries = "sluice_upstream_errors_total{pod=\"127.0.0.1:" + closedPort
          + "\",pool=\"pool-a\",reason=\"connect\"}";
      // Idle pods tie and ties are broken at random: send until one request has met the closed pod.
      int sent = 0;
      while (sent < 40 && (sent < 4 || value(harness.router.metrics().scrape(), refusedSeries) == 0)) {
        HttpResponse<String> response = harness.postJson("/v1/completions", BODY);
        assertThat(response.statusCode()).isEqualTo(200);
        sent++;
      }
      assertThat(good.received).hasSize(sent);
      String metrics = harness.router.metrics().scrape();
      double retries = value(metrics, "sluice_upstream_retries_total{pool=\"pool-a\"}");
      double refused = value(metrics, refusedSeries);
      assertThat(retries).isPositive().isEqualTo(refused);
      RouterHarness.eventually(() -> harness.router.pools().forModel("m1").admission().reservedTokens() == 0);
    }
  }

  private static final String STREAM = "{\"model\":\"m1\",\"prompt\":\"x\",\"stream\":true,\"max_tokens\":8}";
  private static final String IDLE_400MS = """
      apiVersion: sluice.io/v1alpha1
      kind: RouterSettings
      metadata: {name: settings}
      spec: {idleTimeout: 400ms}
      """;

  @Test
  void aStreamSilentForTheIdleTimeoutIsCutAndReleasesItsReservation() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "stalls").start();
      engine.mode = FakeEngine.Mode.STALL_MID_STREAM;
      harness.start(RouterHarness.config("m1", List.of(engine.url()), IDLE_400MS));
      long started = System.nanoTime();
      String body = harness.postJson("/v1/completions", STREAM).body();
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(body).doesNotContain("[DONE]");
      assertErrorEvent(body);
      assertThat(body).contains("no token for 400 ms");
      assertThat(tookMs).isGreaterThanOrEqualTo(400).isLessThan(10_000);
      RouterHarness.eventually(() -> harness.router.pools().forModel("m1").admission().reservedTokens() == 0);
      assertThat(value(harness.router.metrics().scrape(), "sluice_upstream_errors_total{pod=\"" + engine.url()
          .replace("http://", "") + "\",pool=\"pool-a\",reason=\"stream\"}")).isEqualTo(1);
    }
  }

  @Test
  void aStreamLongerThanTheIdleTimeoutIsNotCutWhileChunksKeepComing() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "slow").start();
      engine.tokenIntervalMs = 150; // 8 tokens: about 1.2 s in all, never 400 ms of silence
      engine.streamTokens = 8;
      harness.start(RouterHarness.config("m1", List.of(engine.url()), IDLE_400MS));
      HttpResponse<String> response = harness.postJson("/v1/completions", STREAM);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("[DONE]");
      assertThat(engine.streamsCompleted).hasValue(1);
    }
  }

  /** The stream's last event is an OpenAI-format error. */
  private static void assertErrorEvent(String body) {
    String[] events = body.trim().split("\n\n");
    String last = events[events.length - 1];
    assertThat(last).startsWith("data: ");
    io.vertx.core.json.JsonObject error = new io.vertx.core.json.JsonObject(last.substring(6)).getJsonObject("error");
    assertThat(error.fieldNames()).contains("message", "type", "param", "code");
    assertThat(error.getString("type")).isEqualTo("server_error");
    assertThat(error.getString("code")).isEqualTo("upstream_stream_failed");
  }

  private static double value(String metrics, String series) {
    return metrics.lines().filter(line -> line.startsWith(series + " ")).mapToDouble(
        line -> Double.parseDouble(line.substring(series.length() + 1))).findFirst().orElse(0);
  }

  @Test
  void podThatDropsBeforeAnsweringIsRetriedElse502() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine first = new FakeEngine(harness.vertx, "first").start();
      FakeEngine second = new FakeEngine(harness.vertx, "second").start();
      first.mode = FakeEngine.Mode.DROP;
      harness.start(RouterHarness.config("m1", List.of(first.url(), second.url()), ""));
      // Pods are picked by score with random tie-breaks: send until one request has met the
      // dropping pod; every one of them must still succeed, on the other pod.
      for (int i = 0; i < 20 && first.received.isEmpty(); i++) {
        HttpResponse<String> retried = harness.postJson("/v1/completions", BODY);
        assertThat(retried.statusCode()).isEqualTo(200);
      }
      assertThat(first.received).isNotEmpty();

      second.mode = FakeEngine.Mode.DROP;
      int before = first.received.size() + second.received.size();
      HttpResponse<String> failed = harness.postJson("/v1/completions", BODY);
      assertThat(failed.statusCode()).isEqualTo(502);
      assertThat(ErrorResponsesTest.error(failed).getString("code")).isEqualTo("upstream_unavailable");
      assertThat(first.received.size() + second.received.size()).as("each pod tried once").isEqualTo(before + 2);
    }
  }

  @Test
  void allPodsRefusingIs502() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      harness.start(RouterHarness.config("m1", List.of(closedPortUrl()), ""));
      HttpResponse<String> response = harness.postJson("/v1/completions", BODY);
      assertThat(response.statusCode()).isEqualTo(502);
      ErrorResponsesTest.error(response);
    }
  }

  @Test
  void stalledPodIs504AfterTheResponseTimeout() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine stalled = new FakeEngine(harness.vertx, "stalled").start();
      stalled.mode = FakeEngine.Mode.STALL;
      harness.start(RouterHarness.config("m1", List.of(stalled.url()), """
          apiVersion: sluice.io/v1alpha1
          kind: RouterSettings
          metadata: {name: settings}
          spec:
            responseTimeout: 300ms
          """));
      HttpResponse<String> response = harness.postJson("/v1/completions", BODY);
      assertThat(response.statusCode()).isEqualTo(504);
      assertThat(ErrorResponsesTest.error(response).getString("code")).isEqualTo("upstream_timeout");
      assertThat(stalled.received).hasSize(1);
    }
  }

  @Test
  void podDroppingMidStreamCutsTheClientStream() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine dropping = new FakeEngine(harness.vertx, "dropping").start();
      dropping.mode = FakeEngine.Mode.DROP_MID_STREAM;
      harness.start(RouterHarness.config("m1", List.of(dropping.url()), ""));
      // The client sees 200, the tokens sent so far, then an OpenAI-format error event and no [DONE]:
      // never a stream that looks complete.
      HttpResponse<String> response = harness.postJson("/v1/completions", "{\"model\":\"m1\",\"prompt\":\"x\",\"stream\":true}");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("t0 ").doesNotContain("[DONE]");
      assertErrorEvent(response.body());
      assertThat(harness.router.metrics().scrape()).contains("reason=\"stream\"");
      RouterHarness.eventually(() -> harness.router.pools().forModel("m1").admission().reservedTokens() == 0);
    }
  }

  /**
   * A Responses stream ends, like the Responses API's own, with an {@code event: error} whose data
   * is a Responses error event (type, code, message, param), plus the {@code error} object the
   * SDKs raise on: not the chat stream's bare {@code data:} error.
   */
  @Test
  void aResponsesStreamDroppedMidWayEndsWithAResponsesErrorEvent() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine dropping = new FakeEngine(harness.vertx, "dropping").start();
      dropping.mode = FakeEngine.Mode.DROP_MID_STREAM;
      harness.start(RouterHarness.config("m1", List.of(dropping.url()), ""));
      HttpResponse<String> response = harness.postJson("/v1/responses", "{\"model\":\"m1\",\"input\":\"x\",\"stream\":true}");
      assertThat(response.statusCode()).isEqualTo(200);
      String[] events = response.body().trim().split("\n\n");
      String last = events[events.length - 1];
      assertThat(last).startsWith("event: error\ndata: ");
      io.vertx.core.json.JsonObject data = new io.vertx.core.json.JsonObject(last.substring(last.indexOf("data: ") + 6));
      assertThat(data.getString("type")).isEqualTo("error");
      assertThat(data.getString("code")).isEqualTo("upstream_stream_failed");
      assertThat(data.getString("message")).startsWith("The model server stopped the stream");
      assertThat(data.getJsonObject("error").getString("code")).isEqualTo("upstream_stream_failed");
      RouterHarness.eventually(() -> harness.router.pools().forModel("m1").admission().reservedTokens() == 0);
    }
  }
}

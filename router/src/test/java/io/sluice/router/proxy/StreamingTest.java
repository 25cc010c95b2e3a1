package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Streams pass through chunk by chunk, and a draining router lets them finish. */
class StreamingTest {
  private static final String STREAM_BODY =
      "{\"model\":\"m1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";

  private static HttpRequest streamRequest(RouterHarness harness) {
    return HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY)).build();
  }

  @Test
  void chunksReachTheClientAsTheEngineSendsThem() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "paced").start();
      engine.streamTokens = 10;
      engine.tokenIntervalMs = 100;
      harness.start(RouterHarness.config("m1", List.of(engine.url()), ""));
      HttpResponse<java.io.InputStream> response =
          harness.http.send(streamRequest(harness), HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
      List<Long> arrivals = new ArrayList<>();
      long start = System.nanoTime();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("data: ")) {
            arrivals.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
          }
        }
      }
      assertThat(arrivals).hasSize(12); // 10 tokens, the finish chunk, [DONE]
      // The engine spends ~1 s on the stream; a proxy that buffered would deliver everything at the end.
      assertThat(arrivals.get(arrivals.size() - 1) - arrivals.get(0)).isGreaterThan(500);
    }
  }

  @Test
  void drainingLetsInFlightStreamsFinishAndRefusesNewConnections() throws Exception {
    RouterHarness harness = new RouterHarness();
    try {
      FakeEngine engine = new FakeEngine(harness.vertx, "paced").start();
      engine.streamTokens = 20;
      engine.tokenIntervalMs = 25;
      harness.start(RouterHarness.config("m1", List.of(engine.url()), ""));
      CompletableFuture<HttpResponse<String>> inFlight =
          harness.http.sendAsync(streamRequest(harness), HttpResponse.BodyHandlers.ofString());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (engine.tokensSent.get() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      int port = harness.router.port();
      var stopped = harness.router.shutdown();
      HttpResponse<String> finished = inFlight.get(10, TimeUnit.SECONDS);
      assertThat(finished.statusCode()).isEqualTo(200);
      assertThat(finished.body()).contains("data: [DONE]");
      stopped.await(10, TimeUnit.SECONDS);
      assertThat(engine.streamsCompleted.get()).isEqualTo(1);
      boolean refused;
      try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
        refused = false;
      } catch (java.io.IOException e) {
        refused = true;
      }
      assertThat(refused).isTrue();
    } finally {
      harness.vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}

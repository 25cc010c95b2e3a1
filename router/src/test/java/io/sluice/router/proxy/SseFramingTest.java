package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 16 (Streams): an engine may end its SSE lines with CRLF or CR as well as LF. Whatever its
 * framing, each event reaches the client as soon as it is complete, the usage event the router
 * asked for stays hidden, and output tokens are counted from it. The engine writes every event in
 * 7-byte pieces, so line ends (CR and LF of one CRLF too) fall across chunks.
 */
class SseFramingTest {
  private static final String BODY =
      "{\"model\":\"m1\",\"stream\":true,\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
  private static final int TOKENS = 5;

  /** One event as the client read it, and how far the engine was when it arrived. */
  record Arrival(String event, int tokensSentThen, int streamsCompletedThen) {
  }

  private static FakeEngine engine(RouterHarness harness, String lineEnd) throws Exception {
    FakeEngine engine = new FakeEngine(harness.vertx, "framed").start();
    engine.lineEnd = unescape(lineEnd);
    engine.pieceBytes = 7;
    engine.streamTokens = TOKENS;
    engine.tokenIntervalMs = 150;
    return engine;
  }

  private static String unescape(String lineEnd) {
    return lineEnd.replace("\\r", "\r").replace("\\n", "\n");
  }

  /** Reads the stream as it comes, cutting it into events at the engine's own blank line. */
  private static List<Arrival> stream(RouterHarness harness, FakeEngine engine, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<InputStream> response = harness.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    String blank = engine.lineEnd + engine.lineEnd;
    List<Arrival> events = new ArrayList<>();
    StringBuilder seen = new StringBuilder();
    byte[] read = new byte[4096];
    try (InputStream in = response.body()) {
      for (int n; (n = in.read(read)) >= 0; ) {
        seen.append(new String(read, 0, n, StandardCharsets.ISO_8859_1));
        for (int end; (end = seen.indexOf(blank)) >= 0; ) {
          events.add(new Arrival(seen.substring(0, end), engine.tokensSent.get(), engine.streamsCompleted.get()));
          seen.delete(0, end + blank.length());
        }
      }
    }
    assertThat(seen.toString()).as("bytes after the last event").isEmpty();
    return events;
  }

  @ParameterizedTest(name = "lines end in {0}")
  @ValueSource(strings = {"\\r\\n", "\\r", "\\n"})
  void eachEventReachesTheClientAsSoonAsItIsCompleteAndTheUsageEventStaysHidden(String lineEnd) throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = engine(harness, lineEnd);
      harness.start(RouterHarness.config("m1", List.of(engine.url()), ""));

      List<Arrival> events = stream(harness, engine, BODY);

      assertThat(events.get(0).streamsCompletedThen()).as("the first event arrived before the engine finished")
          .isZero();
      assertThat(events.get(0).tokensSentThen()).as("the first event arrived before the second was sent")
          .isLessThanOrEqualTo(1);
      assertThat(events).extracting(Arrival::event).hasSize(TOKENS + 2) // the tokens, the finish chunk, [DONE]
          .allSatisfy(event -> assertThat(event).startsWith("data: ").doesNotContain("\"usage\""))
          .last().isEqualTo("data: [DONE]");
      assertThat(engine.received.get(0).getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
    }
  }

  @ParameterizedTest(name = "lines end in {0}")
  @ValueSource(strings = {"\\r\\n", "\\r"})
  void aClientThatAskedForUsageGetsTheUsageEvent(String lineEnd) throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = engine(harness, lineEnd);
      engine.tokenIntervalMs = 1;
      harness.start(RouterHarness.config("m1", List.of(engine.url()), ""));

      List<Arrival> events = stream(harness, engine,
          BODY.replace("\"stream\":true,", "\"stream\":true,\"stream_options\":{\"include_usage\":true},"));

      assertThat(events).extracting(Arrival::event).hasSize(TOKENS + 3)
          .filteredOn(event -> event.contains("\"usage\"")).hasSize(1);
    }
  }

  @ParameterizedTest(name = "lines end in {0}")
  @ValueSource(strings = {"\\r\\n", "\\r"})
  void outputTokensAreCountedFromTheHiddenUsageEvent(String lineEnd) throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = engine(harness, lineEnd);
      engine.tokenIntervalMs = 1;
      harness.start(RouterHarness.config("m1", List.of(engine.url()), ""));
      long estimated = new JsonObject(harness.http.send(HttpRequest.newBuilder(URI.create(harness.adminUrl() + "/estimate"))
          .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString()).body())
          .getLong("outputTokens");

      stream(harness, engine, BODY);

      RouterHarness.eventually(() -> harness.router.pools().forModel("m1").admission().reservedTokens() == 0);
      String metrics = harness.get(harness.adminUrl() + "/metrics").body();
      assertThat(metrics).contains("sluice_estimate_ratio_count{part=\"output\",pool=\"pool-a\"} 1");
      double ratio = metrics.lines().filter(l -> l.startsWith("sluice_estimate_ratio_sum{part=\"output\""))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
      assertThat(ratio).as("estimated / reported output tokens").isEqualTo((double) estimated / TOKENS);
    }
  }
}

package io.sluice.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.router.runtime.TrafficClasses;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.LogLines;
import io.sluice.router.testing.RouterHarness;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * With the default logging (access log on, every Sluice logger at its most verbose), no API key,
 * prompt or response body reaches the logs, on success or on any kind of refusal.
 */
class LogRedactionTest {
  private static final String KEY = "sk-live-KEYMARKER-0123456789";
  private static final String PROMPT = "PROMPTMARKER tell me a secret";

  @Test
  void keysPromptsAndBodiesStayOutOfTheLogs() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger sluice = (Logger) LoggerFactory.getLogger("io.sluice");
    Level before = sluice.getLevel();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    sluice.setLevel(Level.TRACE);
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      harness.start(RouterHarness.config("m1", List.of(engine.url()), """
          apiVersion: sluice.io/v1alpha1
          kind: RouterSettings
          metadata: {name: settings}
          spec: {authentication: {mode: optional}, maxBodyBytes: 4096}
          ---
          apiVersion: sluice.io/v1alpha1
          kind: TrafficClass
          metadata: {name: gold}
          spec:
            models: [m1]
            match: {apiKeySha256: ["%s"]}
          """.formatted(HexFormat.of().formatHex(TrafficClasses.digestOfKey(KEY)))));
      String chat = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}],\"max_tokens\":3}";
      HttpResponse<String> ok = send(harness, KEY, chat);
      assertThat(ok.statusCode()).isEqualTo(200);
      String answer = ok.body();
      assertThat(send(harness, KEY + "x", chat).statusCode()).isEqualTo(401);
      assertThat(send(harness, KEY, chat.replace("\"m1\"", "\"m2\"")).statusCode()).isEqualTo(404);
      assertThat(send(harness, KEY, "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT)
          .statusCode()).isEqualTo(400);
      assertThat(send(harness, KEY, chat.replace("hi", "x".repeat(5000))).statusCode()).isIn(200, 413);
      engine.mode = FakeEngine.Mode.BAD_REQUEST;
      assertThat(send(harness, KEY, chat).statusCode()).isEqualTo(400);
      engine.close();
      assertThat(send(harness, KEY, chat).statusCode()).isGreaterThanOrEqualTo(500);

      String logs = String.join("\n", LogLines.of(captured).stream().map(LogRedactionTest::render).toList());
      assertThat(LogLines.of(captured)).anyMatch(event -> event.getLoggerName().equals("sluice.access"));
      assertThat(logs).doesNotContain("KEYMARKER").doesNotContain("PROMPTMARKER");
      String content = answerContent(answer);
      assertThat(content).isNotBlank();
      assertThat(logs).doesNotContain(content);
      assertThat(logs).doesNotContain(FakeEngine.ENGINE_ERROR);
    } finally {
      root.detachAppender(captured);
      sluice.setLevel(before);
    }
  }

  private static String render(ILoggingEvent event) {
    return event.getFormattedMessage()
        + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
  }

  private static String answerContent(String body) {
    return new io.vertx.core.json.JsonObject(body).getJsonArray("choices").getJsonObject(0)
        .getJsonObject("message").getString("content");
  }

  private static HttpResponse<String> send(RouterHarness harness, String key, String body) throws Exception {
    return harness.http.send(HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
        .header("authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

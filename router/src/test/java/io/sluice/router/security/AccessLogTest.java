package io.sluice.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.router.runtime.PrometheusText;
import io.sluice.router.testing.LogLines;
import io.sluice.router.testing.RouterExtension;
import io.sluice.router.testing.RouterHarness;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Every answer of the data port is logged and counted, refusals before routing included, and
 * nothing a client sends can forge or bloat a log line (issue 21.9, 21.10).
 */
class AccessLogTest {
  private static final ListAppender<ILoggingEvent> LINES = new ListAppender<>();

  @RegisterExtension
  static final RouterExtension router = RouterExtension.builder()
      .beforeStart(() -> {
        LINES.start();
        ((Logger) LoggerFactory.getLogger("sluice.access")).addAppender(LINES);
      })
      .settings("{authentication: {mode: optional}, maxBodyBytes: 2048, maxHeaderBytes: 2048, requestTimeout: 1s}")
      .build();

  @AfterAll
  static void detachLog() {
    ((Logger) LoggerFactory.getLogger("sluice.access")).detachAppender(LINES);
  }

  private static List<String> lines() {
    return LogLines.of(LINES).stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static double counted(String api, int status) throws Exception {
    return PrometheusText.parse(router.get(router.adminUrl() + "/metrics").body())
        .sum("sluice_requests_total", "api", api, "status", Integer.toString(status));
  }

  private static String raw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", router.server().port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aModelNameCannotForgeALineOrWriteAHugeOne() throws Exception {
    // issue 21.9: the model field went to the log raw: a newline forged a line, 100 KB gave a 100 KB line
    String forged = "m1\\nsluice.access - api=chat status=200 FORGED";
    String messages = ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assertThat(router.postJson("/v1/chat/completions", "{\"model\":\"" + forged + "\"" + messages).statusCode())
        .isEqualTo(404);
    HttpResponse<String> huge = router.postJson("/v1/chat/completions", "{\"model\":\"" + "x".repeat(1_500) + "\"" + messages);
    assertThat(huge.statusCode()).isEqualTo(404);
    assertThat(huge.body().length()).as("the error echoes a bounded part of the name").isLessThan(600);
    RouterHarness.eventually(() -> lines().stream().anyMatch(l -> l.contains("FORGED"))
        && lines().stream().anyMatch(l -> l.contains("xxxx")));
    String forgedLine = lines().stream().filter(l -> l.contains("FORGED")).findFirst().orElseThrow();
    assertThat(forgedLine).doesNotContain("\n").contains("model=m1\\x0asluice.access");
    String longLine = lines().stream().filter(l -> l.contains("xxxx")).findFirst().orElseThrow();
    assertThat(longLine.length()).isLessThan(700);
    assertThat(longLine).contains("(1300 more)");
  }

  @Test
  void refusalsBeforeRoutingAreLoggedAndCounted() throws Exception {
    // issue 21.10: 401, 404, 405, 408, 413, 414 and 431 appeared neither in the log nor in the metrics
    double unauthorized = counted("chat", 401);
    double notFound = counted("other", 404);
    double notAllowed = counted("chat", 405);
    double tooLarge = counted("chat", 413);
    double headers = counted("models", 431);
    double timeout = counted("chat", 408);
    assertThat(router.http().send(HttpRequest.newBuilder(URI.create(router.baseUrl() + "/v1/chat/completions"))
        .header("authorization", "Bearer guess-1").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);
    assertThat(router.get(router.baseUrl() + "/admin/../etc/passwd").statusCode()).isEqualTo(404);
    assertThat(router.get(router.baseUrl() + "/v1/chat/completions").statusCode()).isEqualTo(405);
    assertThat(router.postJson("/v1/chat/completions", "{\"model\":\"" + "y".repeat(3000) + "\"}").statusCode())
        .isEqualTo(413);
    assertThat(raw("GET /v1/models HTTP/1.1\r\nhost: x\r\nx-pad: " + "z".repeat(4000) + "\r\n\r\n"))
        .startsWith("HTTP/1.1 431");
    assertThat(raw("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        + "content-length: 50\r\n\r\n{\"model\"")).startsWith("HTTP/1.1 408");

    RouterHarness.eventually(() -> {
      try {
        return counted("chat", 401) == unauthorized + 1 && counted("other", 404) == notFound + 1
            && counted("chat", 405) == notAllowed + 1 && counted("chat", 413) == tooLarge + 1
            && counted("models", 431) == headers + 1 && counted("chat", 408) == timeout + 1;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThat(lines()).anyMatch(l -> l.contains("status=401") && l.contains("error=invalid_api_key"))
        .anyMatch(l -> l.contains("status=404") && l.contains("api=other"))
        .anyMatch(l -> l.contains("status=405"))
        .anyMatch(l -> l.contains("status=413") && l.contains("error=request_too_large"))
        .anyMatch(l -> l.contains("status=431") && l.contains("error=headers_too_large"))
        .anyMatch(l -> l.contains("status=408") && l.contains("error=request_timeout"));
    assertThat(lines()).noneMatch(l -> l.contains("guess-1"));
  }
}

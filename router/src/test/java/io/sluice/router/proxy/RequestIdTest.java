package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.router.testing.LogLines;
import io.sluice.router.testing.RouterExtension;
import io.sluice.router.testing.RouterHarness;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Every answer carries an {@code x-request-id}, which the pod receives and the access log records. */
class RequestIdTest {
  private static final String CHAT = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final ListAppender<ILoggingEvent> LINES = new ListAppender<>();

  @RegisterExtension
  static final RouterExtension router = RouterExtension.builder()
      .beforeStart(() -> {
        LINES.start();
        ((Logger) LoggerFactory.getLogger("sluice.access")).addAppender(LINES);
      })
      .settings("{authentication: {mode: optional}}").apiKeys("gold", "key-1\n").build();

  @AfterAll
  static void detachLog() {
    ((Logger) LoggerFactory.getLogger("sluice.access")).detachAppender(LINES);
  }

  private static HttpResponse<String> send(String path, String body, String id, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(router.baseUrl() + path))
        .timeout(Duration.ofSeconds(20)).header("content-type", "application/json");
    request = body == null ? request.GET() : request.POST(HttpRequest.BodyPublishers.ofString(body));
    if (id != null) {
      request.header("x-request-id", id);
    }
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return router.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String idOf(HttpResponse<String> response) {
    List<String> ids = response.headers().allValues("x-request-id");
    assertThat(ids).hasSize(1);
    return ids.get(0);
  }

  /** A copy of the lines logged so far: the event loop appends while the test reads (AppenderBase appends under its own lock). */
  private static List<ILoggingEvent> lines() {
    return LogLines.of(LINES);
  }

  private static void logged(String id, String status) throws InterruptedException {
    RouterHarness.eventually(() -> lines().stream().map(ILoggingEvent::getFormattedMessage)
        .anyMatch(l -> l.contains("request_id=" + id) && l.contains("status=" + status)));
  }

  @Test
  void theClientsIdIsAnsweredForwardedAndLogged() throws Exception {
    HttpResponse<String> response = send("/v1/chat/completions", CHAT, "client-id-1", null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(idOf(response)).isEqualTo("client-id-1");
    assertThat(router.engine().receivedHeaders.get(router.engine().receivedHeaders.size() - 1))
        .containsIgnoringCase("x-request-id=client-id-1");
    logged("client-id-1", "200");
  }

  @Test
  void withoutOneAnIdIsGeneratedAndForwarded() throws Exception {
    HttpResponse<String> first = send("/v1/chat/completions", CHAT, null, null);
    HttpResponse<String> second = send("/v1/chat/completions", CHAT, null, null);
    String id = idOf(first);
    assertThat(id).matches("[0-9a-f]{32}");
    assertThat(idOf(second)).isNotEqualTo(id);
    assertThat(router.engine().receivedHeaders.get(router.engine().receivedHeaders.size() - 1)).contains(idOf(second));
    logged(id, "200");
  }

  @Test
  void anUnusableIdIsReplaced() throws Exception {
    String tooLong = "a".repeat(RequestId.MAX_LENGTH + 1);
    assertThat(idOf(send("/v1/chat/completions", CHAT, tooLong, null))).matches("[0-9a-f]{32}");
    String spaced = "a b\"c";
    String replaced = idOf(send("/v1/chat/completions", CHAT, spaced, null));
    assertThat(replaced).matches("[0-9a-f]{32}");
    assertThat(router.engine().receivedHeaders.get(router.engine().receivedHeaders.size() - 1)).contains(replaced)
        .doesNotContain(spaced);
  }

  @Test
  void theRoutersOwnErrorsCarryItToo() throws Exception {
    HttpResponse<String> unauthorized = send("/v1/chat/completions", CHAT, "id-401", "wrong-key");
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(idOf(unauthorized)).isEqualTo("id-401");
    logged("id-401", "401");

    HttpResponse<String> unknown = send("/nowhere", null, "id-404", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(idOf(unknown)).isEqualTo("id-404");
    logged("id-404", "404");

    HttpResponse<String> noModel = send("/v1/chat/completions", "{\"model\":\"zz\",\"messages\":[]}", "id-400", null);
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(idOf(noModel)).isEqualTo("id-400");
    logged("id-400", "400");

    HttpResponse<String> models = send("/v1/models", null, null, null);
    assertThat(idOf(models)).matches("[0-9a-f]{32}");
  }

  @Test
  void generatedIdsAreWellFormed() {
    assertThat(RequestId.generate()).matches("[0-9a-f]{32}");
    assertThat(RequestId.usable("abc-DEF_1.2:3/4+5=")).isTrue();
    assertThat(RequestId.usable("")).isFalse();
    assertThat(RequestId.usable("a\nb")).isFalse();
  }
}

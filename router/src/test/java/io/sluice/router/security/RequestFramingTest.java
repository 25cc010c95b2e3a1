package io.sluice.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.RouterExtension;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What reaches the router as raw bytes on loopback: smuggling attempts, transfer codings, HTTP
 * versions it does not speak, broken chunks and raw request targets (issue 21.7, 21.8, 21.11).
 */
class RequestFramingTest {
  private static final String CHAT = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}";

  @RegisterExtension
  static final RouterExtension router = RouterExtension.builder().build();

  /** Sends {@code raw} and reads until the server closes the connection (or 5 s pass). */
  private static String exchange(String raw) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", router.server().port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException stillOpen) {
        out.write("<still open>".getBytes(StandardCharsets.ISO_8859_1));
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static int responses(String wire) {
    int n = 0;
    for (int at = wire.indexOf("HTTP/1."); at >= 0; at = wire.indexOf("HTTP/1.", at + 1)) {
      n++;
    }
    return n;
  }

  private static JsonObject firstError(String wire) {
    int body = wire.indexOf("\r\n\r\n") + 4;
    int end = wire.indexOf("}}", body) + 2;
    return new JsonObject(wire.substring(body, end)).getJsonObject("error");
  }

  @Test
  void aTransferEncodingThatDoesNotEndInChunkedIs400AndNothingIsReadAsASecondRequest() throws Exception {
    // issue 21.7: with 'xchunked' the body was ignored, then parsed and answered as a second request
    int before = router.engine().received.size();
    String smuggled = "GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n";
    String wire = exchange("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        + "transfer-encoding: xchunked\r\n\r\n" + smuggled);
    assertThat(wire).startsWith("HTTP/1.1 400");
    assertThat(responses(wire)).as(wire).isEqualTo(1);
    assertThat(wire).doesNotContain("<still open>").doesNotContain("\"object\":\"list\"");
    assertThat(firstError(wire).getString("code")).isEqualTo("invalid_transfer_encoding");
    assertThat(router.engine().received).hasSize(before);
  }

  @Test
  void chunkedNotLastIs400AndAnotherCodingIs501() throws Exception {
    String head = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n";
    assertThat(exchange(head + "transfer-encoding: chunked, gzip\r\n\r\n0\r\n\r\n")).startsWith("HTTP/1.1 400");
    String gzip = exchange(head + "transfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    assertThat(gzip).startsWith("HTTP/1.1 501");
    assertThat(firstError(gzip).getString("code")).isEqualTo("unsupported_transfer_encoding");
  }

  @Test
  void plainChunkedBodiesStillWork() throws Exception {
    String chunk = Integer.toHexString(CHAT.length()) + "\r\n" + CHAT + "\r\n0\r\n\r\n";
    String wire = exchange("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        + "transfer-encoding: chunked\r\nconnection: close\r\n\r\n" + chunk);
    assertThat(wire).startsWith("HTTP/1.1 200");
  }

  @Test
  void aBadChunkSizeGetsAnOpenAiError() throws Exception {
    // issue 21.11: no response at all, and an ERROR with a stack trace in the log
    String wire = exchange("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        + "transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
    assertThat(wire).startsWith("HTTP/1.1 400");
    assertThat(firstError(wire).getString("code")).isEqualTo("malformed_request");
  }

  @Test
  void unsupportedHttpVersionsGetAnOpenAiError() throws Exception {
    // issue 21.11: HTTP/9.9 and HTTP/2 prior knowledge got a 501 with an empty body
    for (String raw : List.of("GET /v1/models HTTP/9.9\r\nhost: x\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) {
      String wire = exchange(raw);
      assertThat(wire).as(raw).contains(" 505 ");
      assertThat(firstError(wire).getString("code")).isEqualTo("http_version_not_supported");
      assertThat(wire).doesNotContain("<still open>");
    }
  }

  @Test
  void thePodGetsTheNormalisedPathAndTheQueryNeverTheRawTarget() throws Exception {
    // issue 21.8: absolute-form targets and '..', '//', '%63' segments went to the engine unchanged
    for (String target : List.of("http://169.254.169.254/v1/chat/completions?x=1",
        "/v1/../v1/chat/completions?x=1", "/v1/%63hat/completions?x=1")) {
      int before = router.engine().receivedTargets.size();
      String wire = exchange("POST " + target + " HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
          + "connection: close\r\ncontent-length: " + CHAT.length() + "\r\n\r\n" + CHAT);
      assertThat(wire).as(target).startsWith("HTTP/1.1 200");
      assertThat(router.engine().receivedTargets.subList(before, router.engine().receivedTargets.size()))
          .as(target).containsExactly("/v1/chat/completions?x=1");
    }
  }

  @Test
  void anExpectationOtherThan100ContinueIs417And100ContinueWorks() throws Exception {
    String head = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\n"
        + "content-length: " + CHAT.length() + "\r\n";
    assertThat(exchange(head + "expect: teapot\r\n\r\n" + CHAT)).startsWith("HTTP/1.1 417");
    String wire = exchange(head + "expect: 100-continue\r\n\r\n" + CHAT);
    assertThat(wire).startsWith("HTTP/1.1 100 Continue").contains("HTTP/1.1 200");
  }
}

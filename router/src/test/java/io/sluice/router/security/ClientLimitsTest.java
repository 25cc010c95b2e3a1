package io.sluice.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.RouterExtension;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The data port's client limits, on loopback with raw sockets. */
class ClientLimitsTest {
  private static final String CHAT = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}";

  @RegisterExtension
  static final RouterExtension router = RouterExtension.builder().settings("""
      maxHeaderBytes: 2048
      maxConnections: 4
      requestTimeout: 1s
      clientIdleTimeout: 1500ms
      """).build();

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", router.server().port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static String request(String extraHeaders, String body, int contentLength) {
    return "POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n"
        + extraHeaders + "content-length: " + contentLength + "\r\n\r\n" + body;
  }

  /** Reads until the server closes the connection; the whole response. */
  private static String readToClose(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    for (int n; (n = in.read(buffer)) > 0; ) {
      out.write(buffer, 0, n);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static JsonObject errorOf(String response) {
    return new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4)).getJsonObject("error");
  }

  @Test
  void headersOverTheLimitAre431InOpenAiFormat() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(request("x-padding: " + "a".repeat(4000) + "\r\n", CHAT, CHAT.length())
          .getBytes(StandardCharsets.UTF_8));
      String response = readToClose(socket);
      assertThat(response).startsWith("HTTP/1.1 431");
      assertThat(errorOf(response).getString("code")).isEqualTo("headers_too_large");
    }
  }

  @Test
  void headersUnderTheLimitPass() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(request("x-padding: " + "a".repeat(1000) + "\r\nconnection: close\r\n", CHAT,
          CHAT.length()).getBytes(StandardCharsets.UTF_8));
      assertThat(readToClose(socket)).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void aBodyNotSentInTimeIs408() throws Exception {
    try (Socket socket = connect()) {
      long start = System.nanoTime();
      socket.getOutputStream().write(request("", CHAT.substring(0, 10), CHAT.length()).getBytes(StandardCharsets.UTF_8));
      String response = readToClose(socket);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(response).startsWith("HTTP/1.1 408");
      assertThat(errorOf(response).getString("code")).isEqualTo("request_timeout");
      assertThat(millis).isBetween(900L, 5_000L);
    }
  }

  @Test
  void anIdleConnectionIsClosed() throws Exception {
    try (Socket socket = connect()) {
      long start = System.nanoTime();
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1_000L, 6_000L);
    }
  }

  @Test
  void aKeptAliveConnectionIsClosedOnceIdleAfterItsResponse() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(request("", CHAT, CHAT.length()).getBytes(StandardCharsets.UTF_8));
      String response = readToClose(socket); // the server closes it after the idle timeout
      assertThat(response).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void aSlowLorisClientIsCutOff() throws Exception {
    byte[] headers = ("POST /v1/chat/completions HTTP/1.1\r\nhost: localhost\r\n" + "x-slow: " + "z".repeat(200))
        .getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      long start = System.nanoTime();
      boolean cut = false;
      for (int i = 0; i < headers.length && !cut; i++) {
        try {
          out.write(headers[i]);
          out.flush();
          Thread.sleep(100);
          socket.setSoTimeout(1);
          cut = socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException stillOpen) {
          // nothing to read yet: the server still holds the connection
        } catch (IOException reset) {
          cut = true;
        }
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(cut).as("connection closed while the client trickled its headers").isTrue();
      assertThat(millis).isBetween(1_000L, 8_000L);
    }
  }

  @Test
  void connectionsOverTheLimitAreClosedAndAFreedSlotIsReused() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        held.add(connect());
      }
      RouterHarness.eventually(() -> openConnections() == 4); // the server has accepted them
      try (Socket extra = connect()) {
        assertThat(extra.getInputStream().read()).isEqualTo(-1);
      }
      held.remove(0).close();
      RouterHarness.eventually(() -> openConnections() == 3); // the server has seen it close
      try (Socket again = connect()) {
        again.getOutputStream().write(request("connection: close\r\n", CHAT, CHAT.length())
            .getBytes(StandardCharsets.UTF_8));
        assertThat(readToClose(again)).startsWith("HTTP/1.1 200");
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
      RouterHarness.eventually(() -> openConnections() == 0); // free slots for the other tests
    }
  }

  /** Client connections open on the data port, as the router counts them. */
  private static double openConnections() {
    return router.server().metrics().registry().get("sluice.client.connections").gauge().value();
  }
}

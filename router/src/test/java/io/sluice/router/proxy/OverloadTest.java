package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Request bodies held at once stay within {@code maxBufferedBodyBytes} (issue 21.3: 40 parallel
 * bodies just under the body limit exhausted the heap): past it a request is refused with 503
 * before its body is read, and what is held is given back when requests end.
 */
class OverloadTest {
  private static final String SETTINGS = """
      apiVersion: sluice.io/v1alpha1
      kind: RouterSettings
      metadata: {name: settings}
      spec: {maxBodyBytes: 32768, maxBufferedBodyBytes: 65536, requestTimeout: 1m}
      """;

  /** A chat body of exactly {@code size} bytes. */
  private static String body(int size) {
    String head = "{\"model\":\"m1\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"";
    String tail = "\"}]}";
    return head + "a".repeat(size - head.length() - tail.length()) + tail;
  }

  private static String headers(int length) {
    return "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\n"
        + "content-length: " + length + "\r\n\r\n";
  }

  private static Socket open(RouterHarness harness) throws IOException {
    Socket socket = new Socket("127.0.0.1", harness.router.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static String answer(Socket socket) throws IOException {
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static double held(RouterHarness harness) throws Exception {
    return harness.get(harness.adminUrl() + "/metrics").body().lines()
        .filter(l -> l.startsWith("sluice_request_body_held_bytes "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).sum();
  }

  @Test
  void bodiesPastTheBufferedLimitAreRefusedBeforeTheyAreReadAndHeldBytesComeBack() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      harness.start(RouterHarness.config("m1", List.of(engine.url()), SETTINGS));
      String big = body(30_000);
      try (Socket first = open(harness); Socket second = open(harness)) {
        // Two bodies under way, declared in full: 60,000 of 65,536 bytes are held.
        first.getOutputStream().write((headers(big.length()) + big.substring(0, 100)).getBytes(StandardCharsets.UTF_8));
        second.getOutputStream().write((headers(big.length()) + big.substring(0, 100)).getBytes(StandardCharsets.UTF_8));
        RouterHarness.eventually(() -> {
          try {
            return held(harness) == 60_000;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
        try (Socket third = open(harness)) {
          third.getOutputStream().write(headers(big.length()).getBytes(StandardCharsets.UTF_8));
          String refused = answer(third);
          assertThat(refused).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after: 1");
          JsonObject error = new JsonObject(refused.substring(refused.indexOf("\r\n\r\n") + 4)).getJsonObject("error");
          assertThat(error.getString("code")).isEqualTo("overloaded");
          assertThat(error.getString("type")).isEqualTo("service_unavailable_error");
        }
        String small = body(2_000);
        try (Socket fits = open(harness)) {
          fits.getOutputStream().write((headers(small.length()) + small).getBytes(StandardCharsets.UTF_8));
          assertThat(answer(fits)).startsWith("HTTP/1.1 200");
        }
        first.getOutputStream().write(big.substring(100).getBytes(StandardCharsets.UTF_8));
        assertThat(answer(first)).startsWith("HTTP/1.1 200");
        try (Socket again = open(harness)) {
          again.getOutputStream().write((headers(big.length()) + big).getBytes(StandardCharsets.UTF_8));
          assertThat(answer(again)).as("room again once the first ended").startsWith("HTTP/1.1 200");
        }
      }
      RouterHarness.eventually(() -> {
        try {
          return held(harness) == 0;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      assertThat(harness.get(harness.adminUrl() + "/metrics").body())
          .contains("sluice_overload_refusals_total{reason=\"body_memory\"} 1.0");
    }
  }

  @Test
  void aChunkedBodyIsHeldAsItArrives() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      harness.start(RouterHarness.config("m1", List.of(engine.url()), SETTINGS));
      String big = body(30_000);
      try (Socket first = open(harness); Socket second = open(harness); Socket third = open(harness)) {
        String chunked = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            + "connection: close\r\ntransfer-encoding: chunked\r\n\r\n";
        String half = big.substring(0, 25_000);
        for (Socket socket : List.of(first, second)) {
          socket.getOutputStream().write((chunked + Integer.toHexString(half.length()) + "\r\n" + half + "\r\n")
              .getBytes(StandardCharsets.UTF_8));
        }
        RouterHarness.eventually(() -> {
          try {
            return held(harness) == 50_000;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
        third.getOutputStream().write((chunked + Integer.toHexString(half.length()) + "\r\n" + half + "\r\n")
            .getBytes(StandardCharsets.UTF_8));
        assertThat(answer(third)).startsWith("HTTP/1.1 503");
      }
      RouterHarness.eventually(() -> {
        try {
          return held(harness) == 0;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    }
  }
}

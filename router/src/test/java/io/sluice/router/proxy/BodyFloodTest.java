package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.cli.Main;
import io.sluice.router.runtime.PrometheusText;
import io.sluice.router.testing.FakeEngine;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21.3, as the audit ran it: 40 unauthenticated requests with bodies just under the 16 MiB
 * limit, in parallel, against a router with a small heap (here 256 MiB, a third of the Helm
 * chart's; the audit's 768 MiB died the same way) that exits on OutOfMemoryError as the chart's
 * does. Before the fix it died within two seconds; now it refuses what it cannot hold with 503
 * and goes on serving. The router runs in a child JVM, so its heap is its own.
 */
class BodyFloodTest {
  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void fortyBodiesOfSixteenMebibytesDoNotTakeTheRouterDown() throws Exception {
    Vertx vertx = Vertx.vertx();
    FakeEngine engine = new FakeEngine(vertx, "a").start();
    int port = freePort();
    int admin = freePort();
    Path config = Files.writeString(dir.resolve("sluice.yaml"), """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: pool-a}
        spec:
          models: [m1]
          endpoints: ["%s"]
          budget: {tokensPerPod: 100000000}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec: {accessLog: false}
        """.formatted(engine.url()));
    Path javaBinary = Path.of(System.getProperty("java.home"), "bin", "java");
    Process router = new ProcessBuilder(javaBinary.toString(), "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--config", config.toString(),
        "--host", "127.0.0.1", "--port", Integer.toString(port), "--admin-port", Integer.toString(admin),
        "--event-loops", "2", "--log-level", "warn")
        .redirectErrorStream(true).redirectOutput(dir.resolve("router.log").toFile()).start();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      waitReady(http, admin, router);
      byte[] body = ("{\"model\":\"m1\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\""
          + "a".repeat(16 * 1024 * 1024 - 200) + "\"}]}").getBytes(StandardCharsets.UTF_8);
      byte[] head = ("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
          + "connection: close\r\ncontent-length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
      List<CompletableFuture<String>> sent = new ArrayList<>();
      java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(40);
      for (int i = 0; i < 40; i++) {
        sent.add(CompletableFuture.supplyAsync(() -> {
          try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            try {
              out.write(body);
            } catch (IOException refusedEarly) {
              // the router answered and closed before the body was sent: read what it said
            }
            byte[] answer = socket.getInputStream().readNBytes(12);
            return new String(answer, StandardCharsets.US_ASCII);
          } catch (IOException e) {
            return e.getClass().getSimpleName();
          }
        }, clients));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      clients.shutdown();
      assertThat(router.isAlive()).as("the router survived (log: %s)", Files.readString(dir.resolve("router.log")))
          .isTrue();
      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      double refused = PrometheusText.parse(metrics).sum("sluice_overload_refusals_total");
      assertThat(refused).as("bodies refused before they were read").isGreaterThanOrEqualTo(30);
      HttpResponse<String> after = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/v1/chat/completions")).header("content-type", "application/json").timeout(Duration.ofSeconds(20))
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"model\":\"m1\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(after.statusCode()).as("an ordinary request afterwards").isEqualTo(200);
    } finally {
      router.destroy();
      router.waitFor(20, TimeUnit.SECONDS);
      engine.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void waitReady(HttpClient http, int admin, Process router) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && router.isAlive()) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/readyz")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the router did not become ready");
  }
}

package io.sluice.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.SluiceServer;
import io.sluice.router.admission.AdmissionController;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.discovery.ConfigFileWatcher;
import io.sluice.router.runtime.PrometheusText;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.sim.server.EngineServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The real router in this JVM, started as {@code serve --config} starts it (a config file followed
 * by {@link ConfigFileWatcher}), in front of emulated engines; with what end-to-end tests read off
 * it (its admin metrics page, its ledger, the engines' preemptions) and the invariant each such
 * test ends with: {@link #assertEndsClean}.
 */
final class RouterUnderTest implements AutoCloseable {
  static final String MODEL = "qwen3-8b";
  static final String POOL = "abuse";

  /** Deploys the engines on the Vert.x instance given. */
  interface Engines {
    List<EngineServer> deploy(Vertx vertx) throws Exception;
  }

  final List<EngineServer> engines;
  final SluiceServer router;
  final PoolRuntime pool;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Vertx engineVertx;
  private final Vertx routerVertx;
  private final ConfigFileWatcher watcher;

  private RouterUnderTest(Vertx engineVertx, Vertx routerVertx, List<EngineServer> engines, SluiceServer router,
                          ConfigFileWatcher watcher) {
    this.engineVertx = engineVertx;
    this.routerVertx = routerVertx;
    this.engines = engines;
    this.router = router;
    this.watcher = watcher;
    this.pool = router.pools().forModel(MODEL);
  }

  /**
   * @param poolSpec YAML lines of the ModelPool's spec besides models, endpoints and engine
   * @param settings fields of the RouterSettings' spec, each preceded by {@code ", "}
   */
  static RouterUnderTest start(Path dir, Engines engines, String poolSpec, String settings) throws Exception {
    Vertx engineVertx = Vertx.vertx();
    Vertx routerVertx = Vertx.vertx();
    try {
      List<EngineServer> servers = engines.deploy(engineVertx);
      String yaml = "apiVersion: sluice.io/v1alpha1\nkind: ModelPool\nmetadata: {name: " + POOL + "}\nspec:\n"
          + ("models: [" + MODEL + "]\nendpoints: ["
              + servers.stream().map(s -> "\"http://127.0.0.1:" + s.port() + "\"").collect(Collectors.joining(", "))
              + "]\nengine: vllm\n" + poolSpec).indent(2)
          + "---\napiVersion: sluice.io/v1alpha1\nkind: RouterSettings\nmetadata: {name: settings}\n"
          + "spec: {accessLog: false" + settings + "}\n";
      Path file = dir.resolve("sluice.yaml");
      Files.writeString(file, yaml);
      ConfigLoader.Result loaded = ConfigLoader.parse(yaml, file.toString());
      assertThat(loaded.problems()).as(yaml).isEmpty();
      SluiceServer router = SluiceServer.start(routerVertx, loaded.config(), SluiceServer.Options.loopback(0, 0))
          .await(10, TimeUnit.SECONDS);
      ConfigFileWatcher watcher = new ConfigFileWatcher(file, loaded.config(), yaml, router.clusterSink(),
          router.metrics());
      watcher.start(Duration.ofMillis(100));
      return new RouterUnderTest(engineVertx, routerVertx, servers, router, watcher);
    } catch (Exception | AssertionError e) {
      routerVertx.close().await(30, TimeUnit.SECONDS);
      engineVertx.close().await(30, TimeUnit.SECONDS);
      throw e;
    }
  }

  int port() {
    return router.port();
  }

  static String podId(EngineServer engine) {
    return "127.0.0.1:" + engine.port();
  }

  /** The router's metrics page, read from its admin port as Prometheus would. */
  String metrics() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.adminPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The sum of the router's series named {@code name} with the given label pairs ({@code "k", "v", ...}). */
  long metric(String name, String... labelPairs) throws Exception {
    return sum(metrics(), name, labelPairs);
  }

  /** {@link #metric}, for a poll: a failed read fails the test. */
  long metricNow(String name, String... labelPairs) {
    try {
      return metric(name, labelPairs);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static long sum(String page, String name, String... labelPairs) {
    return Math.round(PrometheusText.parse(page).sum(name, labelPairs));
  }

  /** Preemptions all engines report (vLLM's {@code vllm:num_preemptions_total}). */
  long enginePreemptions() throws Exception {
    long preemptions = 0;
    for (EngineServer engine : engines) {
      String page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      preemptions += sum(page, "vllm:num_preemptions_total");
    }
    return preemptions;
  }

  static JsonObject chat(String content, int maxTokens, boolean stream) {
    JsonObject body = new JsonObject().put("model", MODEL).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", content)));
    return maxTokens > 0 ? body.put("max_tokens", maxTokens) : body;
  }

  /** A chat request to the data port; {@code headers} are name, value pairs. */
  HttpRequest post(JsonObject body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return request.build();
  }

  /**
   * Sends every request, {@code concurrency} at a time, and returns their answers in order. A
   * request that got no HTTP answer at all fails the test: every request gets exactly one.
   */
  List<HttpResponse<String>> sendAll(List<HttpRequest> requests, int concurrency) throws Exception {
    Semaphore slots = new Semaphore(concurrency);
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (HttpRequest request : requests) {
      slots.acquire();
      sent.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, f) -> slots.release()));
    }
    List<HttpResponse<String>> answers = new ArrayList<>();
    List<String> unanswered = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      try {
        answers.add(sent.get(i).get(90, TimeUnit.SECONDS));
      } catch (java.util.concurrent.ExecutionException e) {
        unanswered.add("request " + i + ": " + e.getCause());
      }
    }
    assertThat(unanswered).as("requests that got no answer").isEmpty();
    return answers;
  }

  /** Polls {@code condition} every 10 ms until it holds; false when {@code millis} passed first. */
  static boolean eventually(long millis, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** Nothing reserved, in flight or queued, on the pool and on every pod. */
  boolean ledgerEmpty() {
    AdmissionController admission = pool.admission();
    return admission.reservedTokens() == 0 && admission.inFlight() == 0 && admission.queuedRequests() == 0
        && admission.queuedTokens() == 0
        && admission.pods().stream().allMatch(p -> p.reserved() == 0 && p.inFlight() == 0);
  }

  /**
   * The invariant every scenario ends with: the ledger back to exactly 0 (reserved tokens, in
   * flight, queued, on the pool and every pod), nothing active in the router, every request the
   * clients sent answered exactly once as the router counts them ({@code sluice_requests_total}),
   * and no engine preempted.
   */
  void assertEndsClean(long requestsSent) throws Exception {
    // The router releases a reservation as the response ends, which can be just after the client saw it.
    eventually(10_000, this::ledgerEmpty);
    LedgerAssertions.assertLedgerEmpty(pool.admission());
    // A request ends in the router's books when its connection's last handler has run, which can
    // be just after the client saw its answer (seen once under load: 1 still active).
    eventually(10_000, () -> {
      try {
        return router.metrics().activeRequests() == 0 && metric("sluice_requests_total") == requestsSent;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(router.metrics().activeRequests()).as("requests active in the router").isZero();
    assertThat(metric("sluice_requests_total")).as("answers the router counted").isEqualTo(requestsSent);
    assertThat(enginePreemptions()).as("engine preemptions").isZero();
  }

  @Override
  public void close() throws Exception {
    try {
      watcher.close();
      router.shutdown().await(30, TimeUnit.SECONDS);
    } finally {
      routerVertx.close().await(30, TimeUnit.SECONDS);
      engineVertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  // Raw HTTP/1.1 on a socket, for what a well-behaved client library would not send.

  static Socket connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Reads until the server closes the connection; {@code <still open>} is appended when it did not. */
  static String readToClose(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException stillOpen) {
      out.write("<still open>".getBytes(StandardCharsets.ISO_8859_1));
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The status of the first response on the wire; 0 when there is none. */
  static int status(String wire) {
    return wire.startsWith("HTTP/1.") && wire.length() >= 12 ? Integer.parseInt(wire.substring(9, 12)) : 0;
  }

  /** The first response's header {@code name} (lower case), or null. */
  static String header(String wire, String name) {
    int end = wire.indexOf("\r\n\r\n");
    return wire.substring(0, Math.max(0, end)).lines().filter(l -> l.toLowerCase().startsWith(name + ":"))
        .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse(null);
  }

  /** The OpenAI-format error of the first response (its body is the error object alone). */
  static JsonObject error(String wire) {
    int body = wire.indexOf("\r\n\r\n") + 4;
    int end = wire.indexOf("}}", body) + 2;
    JsonObject error = new JsonObject(wire.substring(body, end)).getJsonObject("error");
    assertThat(error.fieldNames()).as("an OpenAI-format error").contains("message", "type", "param", "code");
    return error;
  }

  /** How many HTTP responses the wire holds. */
  static int responses(String wire) {
    int n = 0;
    for (int at = wire.indexOf("HTTP/1."); at >= 0; at = wire.indexOf("HTTP/1.", at + 1)) {
      n++;
    }
    return n;
  }
}

package io.sluice.router.testing;

import io.sluice.router.SluiceServer;
import io.sluice.router.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** A real router on loopback in front of fake engines, plus a plain HTTP client to poke it. */
public final class RouterHarness implements AutoCloseable {
  public final Vertx vertx = Vertx.vertx();
  public final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  public SluiceServer router;

  /** A one-pool config serving {@code model} from {@code endpoints}, plus extra YAML documents. */
  public static String config(String model, List<String> endpoints, String extraDocuments) {
    return """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: pool-a}
        spec:
          models: [%s]
          endpoints: [%s]
          engine: vllm
          budget: {tokensPerPod: 100000}
        """.formatted(model, endpoints.stream().map(e -> "\"" + e + "\"").collect(Collectors.joining(", ")))
        + (extraDocuments.isEmpty() ? "" : "---\n" + extraDocuments);
  }

  public RouterHarness start(String yaml) throws Exception {
    ConfigLoader.Result loaded = ConfigLoader.parse(yaml, "test.yaml");
    if (!loaded.ok()) {
      throw new IllegalArgumentException("bad test config: " + loaded.problems());
    }
    router = SluiceServer.start(vertx, loaded.config(), SluiceServer.Options.loopback(0, 0))
        .await(10, TimeUnit.SECONDS);
    return this;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + router.port();
  }

  public String adminUrl() {
    return "http://127.0.0.1:" + router.adminPort();
  }

  public HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("content-type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> postJson(String path, String body) throws Exception {
    return post(path, "application/json", body);
  }

  public HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Waits up to 10 s for {@code condition}; fails if it never holds. The router releases a
   * reservation as the response ends, which can be just after the client has read it.
   */
  public static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    if (!condition.getAsBoolean()) {
      throw new AssertionError("condition not met within 10 s");
    }
  }

  @Override
  public void close() throws Exception {
    if (router != null) {
      router.shutdown().await(20, TimeUnit.SECONDS);
    }
    vertx.close().await(20, TimeUnit.SECONDS);
  }
}

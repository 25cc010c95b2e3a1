package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.config.ConfigLoader;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CORS: off by default; when configured, preflights answered by the router and allowed origins told so. */
class CorsTest {
  private static final String CHAT = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String APP = "https://app.example.com";
  @TempDir static Path dir;
  private static RouterHarness exact;
  private static RouterHarness star;
  private static RouterHarness off;
  private static FakeEngine engine;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("keys"), "key-1\n");
    exact = new RouterHarness();
    engine = new FakeEngine(exact.vertx, "a").start();
    exact.start(RouterHarness.config("m1", List.of(engine.url()), """
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          authentication: {mode: required}
          cors:
            allowedOrigins: ["%s", "http://localhost:3000"]
            allowedHeaders: [authorization, content-type, x-stainless-os]
            exposedHeaders: [x-request-id]
            maxAgeSeconds: 120
        ---
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: gold}
        spec:
          match: {apiKeyFiles: ["%s"]}
        """.formatted(APP, dir.resolve("keys"))));
    star = new RouterHarness().start(RouterHarness.config("m1", List.of(engine.url()), """
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          cors: {allowedOrigins: ["*"]}
        """));
    off = new RouterHarness().start(RouterHarness.config("m1", List.of(engine.url()), ""));
  }

  @AfterAll
  static void stop() throws Exception {
    engine.close();
    for (RouterHarness harness : List.of(star, off, exact)) {
      harness.close();
    }
  }

  private static HttpResponse<String> preflight(RouterHarness harness, String origin) throws Exception {
    return harness.http.send(HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(20))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type")
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> chat(RouterHarness harness, String origin, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(CHAT));
    if (origin != null) {
      request.header("origin", origin);
    }
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return harness.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<String> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  @Test
  void aPreflightIsAnsweredWithoutAKeyAndNeverReachesAPod() throws Exception {
    int before = engine.received.size();
    HttpResponse<String> response = preflight(exact, APP);
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(header(response, "access-control-allow-origin")).isEqualTo(APP);
    assertThat(header(response, "access-control-allow-methods")).contains("POST");
    assertThat(header(response, "access-control-allow-headers")).contains("authorization").contains("x-stainless-os");
    assertThat(header(response, "access-control-max-age")).isEqualTo("120");
    assertThat(header(response, "access-control-allow-credentials")).isNull();
    assertThat(header(response, "x-request-id")).isNotNull();
    assertThat(engine.received).hasSize(before);
  }

  @Test
  void anAllowedOriginsAnswerCarriesTheOriginAndExposedHeaders() throws Exception {
    HttpResponse<String> response = chat(exact, "http://localhost:3000", "key-1");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "access-control-allow-origin")).isEqualTo("http://localhost:3000");
    assertThat(header(response, "access-control-expose-headers")).contains("x-request-id");
  }

  @Test
  void theRoutersOwnRefusalsCarryItTooSoAPageCanReadThem() throws Exception {
    HttpResponse<String> response = chat(exact, APP, null);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(header(response, "access-control-allow-origin")).isEqualTo(APP);
  }

  @Test
  void anOriginNotListedIsRefusedInOpenAiFormat() throws Exception {
    HttpResponse<String> response = preflight(exact, "https://evil.example.com");
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(header(response, "access-control-allow-origin")).isNull();
    assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code"))
        .isEqualTo("origin_not_allowed");
  }

  @Test
  void aStarAllowsAnyOrigin() throws Exception {
    HttpResponse<String> response = preflight(star, "https://anything.example.org");
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(header(response, "access-control-allow-origin")).isEqualTo("*");
    assertThat(header(chat(star, "https://anything.example.org", null), "access-control-allow-origin"))
        .isEqualTo("*");
  }

  @Test
  void offByDefaultAndTheEnginesOwnCorsHeadersAreNotRelayed() throws Exception {
    engine.answerHeaders = java.util.Map.of("access-control-allow-origin", "*", "x-request-id", "engine-id");
    HttpResponse<String> answer;
    try {
      answer = chat(off, APP, null);
    } finally {
      engine.answerHeaders = java.util.Map.of();
    }
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
    assertThat(answer.headers().allValues("x-request-id")).hasSize(1).doesNotContain("engine-id");
    HttpResponse<String> response = preflight(off, APP);
    assertThat(response.statusCode()).isNotEqualTo(204);
    assertThat(header(response, "access-control-allow-origin")).isNull();
  }

  @Test
  void badOriginsAreRefusedByTheConfig() {
    ConfigLoader.Result loaded = ConfigLoader.parse(RouterHarness.config("m1", List.of("http://127.0.0.1:1"), """
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          cors:
            allowedOrigins: ["https://app.example.com/path", "*", "ftp://x"]
            exposedHeaders: ["bad header"]
            maxAgeSeconds: -1
        """), "test.yaml");
    assertThat(loaded.ok()).isFalse();
    assertThat(loaded.problems().toString())
        .contains("spec.cors.allowedOrigins[0]").contains("spec.cors.allowedOrigins[1]")
        .contains("spec.cors.allowedOrigins[2]").contains("spec.cors.exposedHeaders[0]")
        .contains("spec.cors.maxAgeSeconds");
  }
}

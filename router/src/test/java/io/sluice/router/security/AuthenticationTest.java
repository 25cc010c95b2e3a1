package io.sluice.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.runtime.PrometheusText;
import io.sluice.router.runtime.TrafficClasses;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys on loopback: required mode, keys from a file (reloaded on change), per-class models and priority. */
class AuthenticationTest {
  private static final String CHAT_M1 = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}";
  @TempDir static Path dir;
  private static Path keyFile;
  private static RouterHarness harness;
  private static FakeEngine engine;

  @BeforeAll
  static void start() throws Exception {
    keyFile = dir.resolve("gold-keys");
    Files.writeString(keyFile, "# gold keys\nkey-gold-1\n\n  key-gold-2  \n");
    Files.writeString(dir.resolve("silver-keys"), "key-silver-1\n");
    harness = new RouterHarness();
    engine = new FakeEngine(harness.vertx, "a").start();
    harness.start(RouterHarness.config("m1, m2", List.of(engine.url()), """
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          maxBodyBytes: 4096
          authentication: {mode: required}
          trustedHeaders: [x-sluice-class]
        ---
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: gold}
        spec:
          priority: 100
          allowPriorityHeader: true
          priorityHeaderMin: 0
          match: {apiKeyFiles: ["%s"]}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: silver}
        spec:
          match: {apiKeyFiles: ["%s"]}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: basic}
        spec:
          priority: 0
          models: [m2]
          match: {apiKeySha256: ["%s"]}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: interactive}
        spec:
          priority: 1000
          match: {headers: {x-sluice-class: interactive}}
        """.formatted(keyFile, dir.resolve("silver-keys"), HexFormat.of().formatHex(TrafficClasses.digestOfKey("key-basic")))));
  }

  @AfterAll
  static void stop() throws Exception {
    engine.close();
    harness.close();
  }

  private static HttpResponse<String> chat(String key, String priority, String body) throws Exception {
    return chat(key, priority, body, null);
  }

  private static HttpResponse<String> chat(String key, String priority, String body, String classHeader)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(harness.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    if (priority != null) {
      request.header(TrafficClasses.PRIORITY_HEADER, priority);
    }
    if (classHeader != null) {
      request.header("X-SLUICE-CLASS", classHeader);
    }
    return harness.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject error(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("code")).isEqualTo(code);
    return error;
  }

  @Test
  void aRequestWithoutAKeyIs401AndNeverReachesAPod() throws Exception {
    int before = engine.received.size();
    error(chat(null, null, CHAT_M1), 401, "invalid_api_key");
    assertThat(engine.received).hasSize(before);
  }

  @Test
  void anUnknownKeyIs401() throws Exception {
    error(chat("key-nobody", null, CHAT_M1), 401, "invalid_api_key");
  }

  @Test
  void theKeyIsCheckedBeforeTheBodyIsRead() throws Exception {
    String big = "{\"model\":\"m1\",\"prompt\":\"" + "x".repeat(10_000) + "\"}";
    error(chat(null, null, big), 401, "invalid_api_key"); // not 413: the body was never read
  }

  @Test
  void aKeyFromTheFileIsAccepted() throws Exception {
    assertThat(chat("key-gold-1", null, CHAT_M1).statusCode()).isEqualTo(200);
    assertThat(chat("key-gold-2", null, CHAT_M1).statusCode()).isEqualTo(200);
  }

  @Test
  void aClassLimitedToOtherModelsGets403() throws Exception {
    error(chat("key-basic", null, CHAT_M1), 403, "model_not_allowed");
    assertThat(chat("key-basic", null, CHAT_M1.replace("m1", "m2")).statusCode()).isEqualTo(200);
  }

  @Test
  void aKeysClassWinsOverAClassHeaderSoItKeepsItsModelsAndPriority() throws Exception {
    // issue 21.1: a batch key with x-sluice-class: interactive (any case) ran at interactive's priority
    // and escaped its model limit
    error(chat("key-basic", null, CHAT_M1, "interactive"), 403, "model_not_allowed");
    double basic = admitted("basic");
    double interactive = admitted("interactive");
    assertThat(chat("key-basic", null, CHAT_M1.replace("m1", "m2"), "interactive").statusCode()).isEqualTo(200);
    assertThat(admitted("basic")).isEqualTo(basic + 1);
    assertThat(admitted("interactive")).isEqualTo(interactive);
  }

  private static double admitted(String trafficClass) {
    return PrometheusText.parse(harness.router.metrics().scrape())
        .sum("sluice_admission_outcomes_total", "class", trafficClass, "outcome", "admitted");
  }

  @Test
  void thePriorityHeaderIsRefusedUnlessTheClassAllowsItAndWithinItsBounds() throws Exception {
    error(chat("key-basic", "1000", CHAT_M1.replace("m1", "m2")), 403, "priority_not_allowed");
    assertThat(chat("key-gold-1", "40", CHAT_M1).statusCode()).isEqualTo(200);
    error(chat("key-gold-1", "101", CHAT_M1), 403, "priority_not_allowed"); // above the class's own priority
    assertThat(chat("key-gold-1", "high", CHAT_M1).statusCode()).isEqualTo(400);
  }

  @Test
  void theModelListNeedsAKeyToo() throws Exception {
    HttpResponse<String> response = harness.get(harness.baseUrl() + "/v1/models");
    error(response, 401, "invalid_api_key");
  }

  @Test
  void aChangedKeyFileAppliesWithoutARestart() throws Exception {
    assertThat(chat("key-silver-1", null, CHAT_M1).statusCode()).isEqualTo(200);
    Path next = dir.resolve("silver-keys.next");
    Files.writeString(next, "key-silver-2\n");
    Files.move(next, dir.resolve("silver-keys"), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    RouterHarness.eventually(() -> {
      try {
        return chat("key-silver-2", null, CHAT_M1).statusCode() == 200;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    error(chat("key-silver-1", null, CHAT_M1), 401, "invalid_api_key");
  }
}

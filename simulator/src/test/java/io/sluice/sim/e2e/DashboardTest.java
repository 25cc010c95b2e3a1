package io.sluice.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.sluice.sim.server.Faults;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 (the live page): the real router in front of two emulated engines serves {@code /ui}
 * and its assets from the jar, and {@code /ui/state} lists the pods with their budgets; under load
 * the reserved tokens, the decisions and the admissions per second move. The state carries ids,
 * classes and numbers only: never the prompt or the key.
 */
class DashboardTest {
  private static final String PROMPT = "a secret prompt that must not reach the admin port";

  @TempDir
  static Path dir;
  private static RouterUnderTest sluice;
  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    sluice = RouterUnderTest.start(dir, vertx -> List.of(engine(vertx), engine(vertx)),
        "budget: {tokensPerPod: 4000}\n", "");
  }

  static EngineServer engine(io.vertx.core.Vertx vertx) throws Exception {
    return EngineServer.deploy(vertx, new EngineOptions("127.0.0.1", 0, RouterUnderTest.MODEL, List.of(),
        EngineConfig.of(8_000, Profiles.LLAMA3_8B_A100), 1.0, null, 7, "fixed:200",
        EngineOptions.Flavor.VLLM, Faults.NONE, EngineOptions.LineEnd.LF)).await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    sluice.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.router.adminPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject state() {
    try {
      return new JsonObject(get("/ui/state").body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonObject pool(JsonObject state) {
    return state.getJsonArray("pools").getJsonObject(0);
  }

  @Test
  void servesThePageAndItsAssetsFromTheJar() throws Exception {
    HttpResponse<String> page = get("/ui");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).get().asString().startsWith("text/html");
    assertThat(page.body()).contains("<title>Sluice</title>").contains("/ui/app.js").doesNotContain("http://", "https://");
    HttpResponse<String> script = get("/ui/app.js");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.body()).contains("/ui/state").doesNotContain("https://");
    assertThat(get("/ui/app.css").statusCode()).isEqualTo(200);
    assertThat(get("/ui/missing.js").statusCode()).isEqualTo(404);
  }

  @Test
  void stateListsThePodsAndMovesUnderLoad() throws Exception {
    JsonObject before = pool(state());
    assertThat(before.getString("name")).isEqualTo(RouterUnderTest.POOL);
    JsonArray pods = before.getJsonArray("pods");
    assertThat(pods).hasSize(2);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < pods.size(); i++) {
      JsonObject pod = pods.getJsonObject(i);
      ids.add(pod.getString("id"));
      assertThat(pod.getLong("budget")).isEqualTo(4000);
      assertThat(pod.getLong("reserved")).isZero();
      assertThat(pod.getBoolean("ejected")).isFalse();
    }
    assertThat(ids).containsExactlyInAnyOrderElementsOf(sluice.engines.stream().map(RouterUnderTest::podId).toList());
    long decisionsBefore = state().getLong("decisionCount");

    List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      load.add(http.sendAsync(sluice.post(RouterUnderTest.chat(PROMPT + " " + i, 200, true),
          "x-request-id", "dash-" + i), HttpResponse.BodyHandlers.ofString()));
    }
    long[] seenReserved = {0};
    assertThat(RouterUnderTest.eventually(20_000, () -> {
      JsonObject pool = pool(state());
      seenReserved[0] = Math.max(seenReserved[0], pool.getLong("reserved"));
      return seenReserved[0] > 0;
    })).as("reserved tokens move while requests are in flight").isTrue();
    for (CompletableFuture<HttpResponse<String>> response : load) {
      assertThat(response.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    JsonObject after = state();
    assertThat(after.getLong("decisionCount")).isGreaterThanOrEqualTo(decisionsBefore + 12);
    JsonArray decisions = after.getJsonArray("decisions");
    assertThat(decisions.size()).isGreaterThanOrEqualTo(12);
    JsonObject newest = decisions.getJsonObject(0);
    assertThat(newest.getString("id")).startsWith("dash-");
    assertThat(newest.getString("class")).isEqualTo("default");
    assertThat(newest.getLong("estimatedTokens")).isPositive();
    assertThat(pool(after).getLong("oldestWaitMs")).isNotNull();
    JsonObject scores = newest.getJsonObject("scores");
    assertThat(scores).as("the chosen pod's score per scorer").isNotNull();
    assertThat(scores.fieldNames()).contains("token-budget", "prefix-affinity");
    scores.forEach(e -> assertThat(((Number) e.getValue()).doubleValue()).isBetween(0.0, 1.0));
    assertThat(newest.getString("outcome")).isIn("admitted", "admitted_from_queue", "queued");
    JsonObject series = pool(after).getJsonObject("series");
    long admitted = 0;
    for (String key : List.of("outcome:admitted", "outcome:admitted_from_queue")) {
      JsonArray values = series.getJsonArray(key, new JsonArray());
      for (int i = 0; i < values.size(); i++) {
        admitted += values.getLong(i);
      }
    }
    assertThat(admitted).as("admissions per second").isGreaterThanOrEqualTo(12);
    assertThat(RouterUnderTest.eventually(5_000, () -> pool(state()).getLong("reserved") == 0)).isTrue();
    assertThat(after.encode()).doesNotContain("secret prompt").doesNotContain(PROMPT);
  }
}

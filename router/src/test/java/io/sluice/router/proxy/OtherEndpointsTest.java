package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.router.runtime.PrometheusText;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.LogLines;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * vLLM's and SGLang's other endpoints through the router: routed by model to a pod of its pool at
 * the path the client called; rerank, score, pooling, classify and audio admitted at a cost
 * (rerank and score by the pairs they read, audio flat), tokenize and detokenize passed through.
 */
class OtherEndpointsTest {
  private static final ListAppender<ILoggingEvent> LINES = new ListAppender<>();
  private static final String BOUNDARY = "sluiceFormBoundary";
  private static RouterHarness harness;
  private static RouterHarness costlyAudio;
  private static FakeEngine engine;

  @BeforeAll
  static void start() throws Exception {
    LINES.start();
    ((Logger) LoggerFactory.getLogger("sluice.access")).addAppender(LINES);
    harness = new RouterHarness();
    engine = new FakeEngine(harness.vertx, "a").start();
    harness.start(RouterHarness.config("m1, whisper", List.of(engine.url()), """
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec: {audioTranscriptionTokens: 5000}
        """));
    costlyAudio = new RouterHarness().start(RouterHarness.config("whisper", List.of(engine.url()), """
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec: {audioTranscriptionTokens: 200000}
        """));
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger("sluice.access")).detachAppender(LINES);
    engine.close();
    costlyAudio.close();
    harness.close();
  }

  private static String form(String model) {
    return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
        + "Content-Type: audio/wav\r\n\r\nRIFF....WAVEfmt \r\n"
        + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + model + "\r\n"
        + "--" + BOUNDARY + "--\r\n";
  }

  private static HttpResponse<String> audio(RouterHarness on, String model) throws Exception {
    return on.post("/v1/audio/transcriptions", "multipart/form-data; boundary=" + BOUNDARY, form(model));
  }

  /** The last access-log line of {@code api} answered 200, once it is written (just after the answer). */
  private static String line(String api, String path) throws InterruptedException {
    String start = "api=" + api + " method=POST path=" + path + " ";
    RouterHarness.eventually(() -> LogLines.of(LINES).stream().map(ILoggingEvent::getFormattedMessage)
        .anyMatch(l -> l.startsWith(start) && l.contains("status=200")));
    return LogLines.of(LINES).stream().map(ILoggingEvent::getFormattedMessage)
        .filter(l -> l.startsWith(start) && l.contains("status=200")).reduce((first, second) -> second).orElseThrow();
  }

  private static String words(int chars) {
    return "word ".repeat(chars / 5);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "/tokenize|tokenize|{\"model\":\"m1\",\"prompt\":\"hello\"}",
      "/detokenize|detokenize|{\"model\":\"m1\",\"tokens\":[1,2,3]}",
      "/rerank|rerank|{\"model\":\"m1\",\"query\":\"q\",\"documents\":[\"a\",\"b\"]}",
      "/v1/rerank|rerank|{\"model\":\"m1\",\"query\":\"q\",\"documents\":[{\"text\":\"a\"}]}",
      "/score|score|{\"model\":\"m1\",\"text_1\":\"a\",\"text_2\":[\"b\",\"c\"]}",
      "/v1/score|score|{\"model\":\"m1\",\"text_1\":\"a\",\"text_2\":\"b\"}",
      "/pooling|pooling|{\"model\":\"m1\",\"input\":\"a\"}",
      "/classify|classify|{\"model\":\"m1\",\"input\":[\"a\",\"b\"]}"})
  void eachIsRoutedByModelToItsOwnPathOnAPod(String path, String api, String body) throws Exception {
    HttpResponse<String> response = harness.postJson(path, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(response.body());
    assertThat(answer.getString("path")).isEqualTo(path);
    assertThat(answer.getString("pod")).isEqualTo("a");
    assertThat(engine.receivedTargets.get(engine.receivedTargets.size() - 1)).isEqualTo(path);
    assertThat(engine.received.get(engine.received.size() - 1)).isEqualTo(new JsonObject(body)); // unchanged
    assertThat(line(api, path)).contains("pool=pool-a").contains("pod=127.0.0.1:");
    double counted = PrometheusText.parse(harness.get(harness.adminUrl() + "/metrics").body())
        .sum("sluice_requests_total", "api", api, "status", "200");
    assertThat(counted).isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "/tokenize|{\"model\":\"nope\",\"prompt\":\"a\"}",
      "/rerank|{\"model\":\"nope\",\"query\":\"q\",\"documents\":[\"a\"]}",
      "/v1/score|{\"model\":\"nope\",\"text_1\":\"a\",\"text_2\":\"b\"}",
      "/pooling|{\"model\":\"nope\",\"input\":\"a\"}",
      "/classify|{\"model\":\"nope\",\"input\":\"a\"}"})
  void anUnknownModelIs404(String path, String body) throws Exception {
    HttpResponse<String> response = harness.postJson(path, body);
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(ErrorResponsesTest.error(response).getString("code")).isEqualTo("model_not_found");
  }

  @Test
  void rerankIsAdmittedByTheSizeOfItsDocuments() throws Exception {
    int before = engine.received.size();
    JsonArray documents = new JsonArray();
    for (int i = 0; i < 40; i++) {
      documents.add(words(20_000));
    }
    HttpResponse<String> response = harness.postJson("/v1/rerank",
        new JsonObject().put("model", "m1").put("query", "q").put("documents", documents).encode());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(ErrorResponsesTest.error(response).getString("code")).isEqualTo("context_length_exceeded");
    assertThat(engine.received).hasSize(before);
  }

  @Test
  void scoreCountsItsQueryOncePerDocument() throws Exception {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 20; i++) {
      items.add("short");
    }
    String query = words(30_000); // alone it fits a pod's 100000 tokens; twenty times over it does not
    HttpResponse<String> one = harness.postJson("/score",
        new JsonObject().put("model", "m1").put("text_1", query).put("text_2", "short").encode());
    assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
    HttpResponse<String> twenty = harness.postJson("/score",
        new JsonObject().put("model", "m1").put("text_1", query).put("text_2", items).encode());
    assertThat(twenty.statusCode()).as(twenty.body()).isEqualTo(400);
    assertThat(ErrorResponsesTest.error(twenty).getString("code")).isEqualTo("context_length_exceeded");
  }

  @Test
  void theAdminEstimateKnowsRerankPairs() throws Exception {
    String query = words(4000);
    long two = estimatedPrompt("rerank", new JsonObject().put("model", "m1").put("query", query)
        .put("documents", new JsonArray().add("a").add("b")));
    long four = estimatedPrompt("rerank", new JsonObject().put("model", "m1").put("query", query)
        .put("documents", new JsonArray().add("a").add("b").add("c").add("d")));
    assertThat(four).isGreaterThan(two * 3 / 2); // the long query counted once per document
    HttpResponse<String> audio = harness.http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(harness.adminUrl() + "/estimate?api=transcriptions"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"whisper\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(audio.statusCode()).isEqualTo(400);
  }

  private static long estimatedPrompt(String api, JsonObject body) throws Exception {
    HttpResponse<String> response = harness.http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(harness.adminUrl() + "/estimate?api=" + api))
        .header("content-type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getLong("promptTokens");
  }

  @Test
  void tokenizeIsPassedThroughWithoutAdmission() throws Exception {
    // Far more than a pod's whole budget: admitted, it would be refused as too large.
    HttpResponse<String> response = harness.postJson("/tokenize",
        new JsonObject().put("model", "m1").put("prompt", words(800_000)).encode());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(line("tokenize", "/tokenize")).contains("est_tokens=-");
  }

  @Test
  void anAudioFormIsRoutedByItsModelFieldAtAFlatCost() throws Exception {
    HttpResponse<String> response = audio(harness, "whisper");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getString("path")).isEqualTo("/v1/audio/transcriptions");
    assertThat(engine.received.get(engine.received.size() - 1).getInteger("multipartBytes"))
        .isEqualTo(form("whisper").length()); // the form itself, unchanged
    String line = line("transcriptions", "/v1/audio/transcriptions");
    long reserved = Long.parseLong(line.replaceAll(".* est_tokens=(\\d+) .*", "$1"));
    assertThat(reserved).isGreaterThanOrEqualTo(5000);
  }

  @Test
  void anAudioFlatCostPastEveryBudgetIsRefused() throws Exception {
    HttpResponse<String> response = audio(costlyAudio, "whisper");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(ErrorResponsesTest.error(response).getString("code")).isEqualTo("context_length_exceeded");
  }

  @Test
  void anAudioFormForAnUnknownModelIs404() throws Exception {
    HttpResponse<String> response = audio(harness, "nope");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(ErrorResponsesTest.error(response).getString("code")).isEqualTo("model_not_found");
  }
}

package io.sluice.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.sluice.sim.server.Faults;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 (Responses API): the official OpenAI Java SDK's {@code responses()} client against the
 * router in front of an emulated vLLM engine: plain and streamed answers come through, the
 * reservation is reconciled from the engine's usage (the output estimate, bounded by {@code
 * max_output_tokens}, is exactly what the engine reports) and returns to 0; a bad body gets an
 * OpenAI-format 400; stored responses get a clear 404.
 */
class ResponsesApiTest {
  private static final int MAX_OUTPUT = 16;

  @TempDir
  static Path dir;
  private static RouterUnderTest sluice;
  private static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    sluice = RouterUnderTest.start(dir, vertx -> List.of(EngineServer.deploy(vertx,
            new EngineOptions("127.0.0.1", 0, RouterUnderTest.MODEL, List.of(),
                EngineConfig.of(8_000, Profiles.LLAMA3_8B_A100), 1.0, null, 7, "fixed:100",
                EngineOptions.Flavor.VLLM, Faults.NONE, EngineOptions.LineEnd.LF)).await(10, TimeUnit.SECONDS)),
        "budget: {tokensPerPod: 8000}\n", "");
    client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + sluice.port() + "/v1").apiKey("test-key")
        .maxRetries(0).timeout(Duration.ofSeconds(30)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    sluice.close();
  }

  private static ResponseCreateParams params() {
    return ResponseCreateParams.builder().model(RouterUnderTest.MODEL).instructions("Answer briefly.")
        .input("Say hello").maxOutputTokens(MAX_OUTPUT).build();
  }

  @Test
  void plainResponseIsRoutedAndReconciledFromItsUsage() throws Exception {
    long before = sluice.metric("sluice_estimate_ratio_count", "part", "output");

    Response response = client.responses().create(params());

    assertThat(response.output()).hasSize(1);
    String text = response.output().get(0).message().orElseThrow().content().get(0).outputText().orElseThrow().text();
    assertThat(text).isNotEmpty();
    ResponseUsage usage = response.usage().orElseThrow();
    assertThat(usage.outputTokens()).isEqualTo(MAX_OUTPUT);
    assertReconciled(before);
  }

  @Test
  void streamedResponseRelaysEveryEventAndIsReconciledFromResponseCompleted() throws Exception {
    long before = sluice.metric("sluice_estimate_ratio_count", "part", "output");
    StringBuilder text = new StringBuilder();
    List<ResponseStreamEvent> events;
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params())) {
      events = stream.stream().toList();
    }
    events.forEach(event -> event.outputTextDelta().ifPresent(delta -> text.append(delta.delta())));

    assertThat(events.stream().filter(ResponseStreamEvent::isOutputTextDelta)).hasSize(MAX_OUTPUT);
    assertThat(events.get(0).isCreated()).isTrue();
    ResponseStreamEvent last = events.get(events.size() - 1);
    assertThat(last.isCompleted()).as("the last event is response.completed, passed on").isTrue();
    assertThat(last.asCompleted().response().usage().orElseThrow().outputTokens()).isEqualTo(MAX_OUTPUT);
    assertThat(text).isNotEmpty();
    assertReconciled(before);
  }

  /** One more output observation, whose estimate was exactly what the engine reported; nothing held. */
  private static void assertReconciled(long observationsBefore) throws Exception {
    RouterUnderTest.eventually(10_000, sluice::ledgerEmpty);
    assertThat(sluice.pool.admission().reservedTokens()).as("reserved tokens").isZero();
    assertThat(sluice.pool.admission().inFlight()).as("in flight").isZero();
    RouterUnderTest.eventually(10_000,
        () -> sluice.metricNow("sluice_estimate_ratio_count", "part", "output") == observationsBefore + 1);
    String page = sluice.metrics();
    assertThat(RouterUnderTest.sum(page, "sluice_estimate_ratio_count", "part", "output"))
        .as("requests reconciled from the engine's usage").isEqualTo(observationsBefore + 1);
    // max_output_tokens (16) bounds the estimate and the engine stops there: every ratio is 1.
    assertThat(RouterUnderTest.sum(page, "sluice_estimate_ratio_sum", "part", "output"))
        .isEqualTo(observationsBefore + 1);
    assertThat(RouterUnderTest.sum(page, "sluice_requests_total", "api", "responses", "status", "200"))
        .isPositive();
  }

  @Test
  void aBodyWithoutInputGetsAnOpenAiFormat400() throws Exception {
    HttpResponse<String> answer = post("/v1/responses", new JsonObject().put("model", RouterUnderTest.MODEL));

    assertThat(answer.statusCode()).isEqualTo(400);
    JsonObject error = new JsonObject(answer.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("param")).isEqualTo("input");
    assertThat(error.getString("message")).contains("input");
  }

  @Test
  void anInputOfTheWrongTypeGetsAnOpenAiFormat400() throws Exception {
    HttpResponse<String> answer = post("/v1/responses",
        new JsonObject().put("model", RouterUnderTest.MODEL).put("input", 42));

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(answer.body()).getJsonObject("error").getString("param")).isEqualTo("input");
  }

  @Test
  void storedResponsesAreRefusedClearly() {
    assertThatThrownBy(() -> client.responses().retrieve("resp_1"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("stored responses");
    assertThatThrownBy(() -> client.responses().delete("resp_1"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("stored responses");
  }

  private static HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return sluice.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.port() + path))
            .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every refusal of the router is an OpenAI-format error with the right status. */
class ErrorResponsesTest {
  private static RouterHarness harness;
  private static FakeEngine engine;

  @BeforeAll
  static void start() throws Exception {
    harness = new RouterHarness();
    engine = new FakeEngine(harness.vertx, "a").start();
    harness.start(RouterHarness.config("m1", List.of(engine.url()), """
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          maxBodyBytes: 2048
        """));
  }

  @AfterAll
  static void stop() throws Exception {
    engine.close();
    harness.close();
  }

  @BeforeEach
  void normalEngine() {
    engine.mode = FakeEngine.Mode.NORMAL;
  }

  static JsonObject error(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error).isNotNull();
    assertThat(error.fieldNames()).containsExactlyInAnyOrder("message", "type", "param", "code");
    assertThat(error.getString("message")).isNotBlank();
    return error;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "invalid json          | /v1/chat/completions | {\"model\": \"m1\",                          | 400 | invalid_request_error |",
      "not an object         | /v1/chat/completions | [1, 2]                                       | 400 | invalid_request_error |",
      "missing model         | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]} | 400 | invalid_request_error | model",
      "model not a string    | /v1/chat/completions | {\"model\": 7, \"messages\": []}             | 400 | invalid_request_error | model",
      "stream not a boolean  | /v1/chat/completions | {\"model\": \"m1\", \"stream\": \"yes\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]} | 400 | invalid_request_error | stream",
      "negative max_tokens   | /v1/chat/completions | {\"model\": \"m1\", \"max_tokens\": -5, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]} | 400 | invalid_request_error | max_tokens",
      "huge max_tokens       | /v1/completions      | {\"model\": \"m1\", \"max_tokens\": 99999999999999, \"prompt\": \"x\"} | 400 | invalid_request_error | max_tokens",
      "messages not an array | /v1/chat/completions | {\"model\": \"m1\", \"messages\": \"hi\"}  | 400 | invalid_request_error | messages",
      "empty messages        | /v1/chat/completions | {\"model\": \"m1\", \"messages\": []}      | 400 | invalid_request_error | messages",
      "prompt wrong type     | /v1/completions      | {\"model\": \"m1\", \"prompt\": {\"a\": 1}} | 400 | invalid_request_error | prompt",
      "missing input         | /v1/embeddings       | {\"model\": \"m1\"}                         | 400 | invalid_request_error | input",
      "duplicate model key   | /v1/completions      | {\"model\": \"m1\", \"model\": \"m2\", \"prompt\": \"x\"} | 400 | invalid_request_error |",
      "unknown model         | /v1/chat/completions | {\"model\": \"nope\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]} | 404 | invalid_request_error | model",
  })
  void badRequestsAreRefused(String name, String path, String body, int status, String type, String param)
      throws Exception {
    int received = engine.received.size();
    HttpResponse<String> response = harness.postJson(path, body);
    assertThat(response.statusCode()).isEqualTo(status);
    JsonObject error = error(response);
    assertThat(error.getString("type")).isEqualTo(type);
    assertThat(error.getString("param")).isEqualTo(param);
    assertThat(engine.received).hasSize(received);
  }

  @Test
  void deeplyNestedJsonIsRefused() throws Exception {
    String nested = "{\"model\":\"m1\",\"prompt\":\"x\",\"extra\":" + "[".repeat(100) + "]".repeat(100) + "}";
    HttpResponse<String> deep = harness.postJson("/v1/completions", nested);
    assertThat(deep.statusCode()).isEqualTo(400);
    error(deep);
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    String body = "{\"model\":\"m1\",\"prompt\":\"" + "x".repeat(4096) + "\"}";
    HttpResponse<String> response = harness.postJson("/v1/completions", body);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(error(response).getString("code")).isEqualTo("request_too_large");
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    HttpResponse<String> response = harness.post("/v1/completions", "text/plain", "{\"model\":\"m1\",\"prompt\":\"x\"}");
    assertThat(response.statusCode()).isEqualTo(415);
    error(response);
  }

  @Test
  void unknownPathIs404InOpenAiFormat() throws Exception {
    HttpResponse<String> response = harness.postJson("/v1/nothing", "{}");
    assertThat(response.statusCode()).isEqualTo(404);
    error(response);
  }

  @Test
  void wrongMethodIs405() throws Exception {
    HttpResponse<String> response = harness.get(harness.baseUrl() + "/v1/chat/completions");
    assertThat(response.statusCode()).isEqualTo(405);
    error(response);
  }

  @Test
  void engineErrorsPassThroughUnchanged() throws Exception {
    engine.mode = FakeEngine.Mode.BAD_REQUEST;
    HttpResponse<String> response = harness.postJson("/v1/completions", "{\"model\":\"m1\",\"prompt\":\"x\"}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo(FakeEngine.ENGINE_ERROR);
  }

  @Test
  void aBadRequestDoesNotDisturbTheNextOne() throws Exception {
    harness.postJson("/v1/completions", "{\"model\": ");
    HttpResponse<String> ok = harness.postJson("/v1/completions", "{\"model\":\"m1\",\"prompt\":\"x\"}");
    assertThat(ok.statusCode()).isEqualTo(200);
  }
}

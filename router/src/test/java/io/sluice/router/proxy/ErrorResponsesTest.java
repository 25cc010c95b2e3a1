package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterExtension;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every refusal of the router is an OpenAI-format error with the right status. */
class ErrorResponsesTest {
  @RegisterExtension
  static final RouterExtension router = RouterExtension.builder().settings("maxBodyBytes: 2048").build();

  @BeforeEach
  void normalEngine() {
    router.engine().mode = FakeEngine.Mode.NORMAL;
  }

  static JsonObject error(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error).isNotNull();
    assertThat(error.fieldNames()).containsExactlyInAnyOrder("message", "type", "param", "code");
    assertThat(error.getString("message")).isNotBlank();
    return error;
  }

  // Malformed bodies, wrong types and absurd values: the data-driven corpus in BadRequestCorpusTest.

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    String body = "{\"model\":\"m1\",\"prompt\":\"" + "x".repeat(4096) + "\"}";
    HttpResponse<String> response = router.postJson("/v1/completions", body);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(error(response).getString("code")).isEqualTo("request_too_large");
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    HttpResponse<String> response = router.post("/v1/completions", "text/plain", "{\"model\":\"m1\",\"prompt\":\"x\"}");
    assertThat(response.statusCode()).isEqualTo(415);
    error(response);
  }

  @Test
  void unknownPathIs404InOpenAiFormat() throws Exception {
    HttpResponse<String> response = router.postJson("/v1/nothing", "{}");
    assertThat(response.statusCode()).isEqualTo(404);
    error(response);
  }

  @Test
  void wrongMethodIs405() throws Exception {
    HttpResponse<String> response = router.get(router.baseUrl() + "/v1/chat/completions");
    assertThat(response.statusCode()).isEqualTo(405);
    error(response);
  }

  @Test
  void engineErrorsPassThroughUnchanged() throws Exception {
    router.engine().mode = FakeEngine.Mode.BAD_REQUEST;
    HttpResponse<String> response = router.postJson("/v1/completions", "{\"model\":\"m1\",\"prompt\":\"x\"}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo(FakeEngine.ENGINE_ERROR);
  }

  @Test
  void aBadRequestDoesNotDisturbTheNextOne() throws Exception {
    router.postJson("/v1/completions", "{\"model\": ");
    HttpResponse<String> ok = router.postJson("/v1/completions", "{\"model\":\"m1\",\"prompt\":\"x\"}");
    assertThat(ok.statusCode()).isEqualTo(200);
  }
}

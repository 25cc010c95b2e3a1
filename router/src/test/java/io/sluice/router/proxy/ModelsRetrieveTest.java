package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.RouterExtension;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /v1/models/{id}} (the SDKs' models.retrieve): OpenAI's model object, or 404, behind the API key. */
class ModelsRetrieveTest {
  @RegisterExtension
  static final RouterExtension router = RouterExtension.builder().models("m1, org/m2")
      .settings("authentication: {mode: required}").apiKeys("gold", "key-1\n").build();

  private static HttpResponse<String> get(String path, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(router.baseUrl() + path))
        .timeout(Duration.ofSeconds(20)).GET();
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return router.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aConfiguredModelIsAnsweredInOpenAisShape() throws Exception {
    HttpResponse<String> response = get("/v1/models/m1", "key-1");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject model = new JsonObject(response.body());
    assertThat(model.getString("id")).isEqualTo("m1");
    assertThat(model.getString("object")).isEqualTo("model");
    assertThat(model.getLong("created")).isPositive();
    assertThat(model.getString("owned_by")).isEqualTo("sluice:pool-a");
  }

  @Test
  void aModelIdWithASlashIsFound() throws Exception {
    HttpResponse<String> response = get("/v1/models/org/m2", "key-1");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getString("id")).isEqualTo("org/m2");
  }

  @Test
  void anUnknownModelIs404ModelNotFound() throws Exception {
    HttpResponse<String> response = get("/v1/models/nope", "key-1");
    assertThat(response.statusCode()).isEqualTo(404);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("model_not_found");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("param")).isEqualTo("model");
  }

  @Test
  void itNeedsAKeyLikeTheModelList() throws Exception {
    assertThat(get("/v1/models/m1", null).statusCode()).isEqualTo(401);
    assertThat(get("/v1/models/nope", "wrong").statusCode()).isEqualTo(401);
  }

  @Test
  void itIsCountedAsTheModelsApi() throws Exception {
    get("/v1/models/m1", "key-1");
    String metrics = router.get(router.adminUrl() + "/metrics").body();
    assertThat(metrics).containsPattern("sluice_requests_total\\{[^}]*api=\"models\"[^}]*status=\"200\"");
  }
}

package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.RouterExtension;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus (src/test/resources/bad-requests): each case is a body file and a row of
 * {@code cases.tsv} with the status, error type, code and param the router must answer with. A
 * refused request never reaches a pod; an accepted one (status 200) is forwarded as sent.
 */
class BadRequestCorpusTest {
  private static final String DIR = "/bad-requests/";

  record Case(String name, String path, String contentType, int status, String type, String code, String param) {
    @Override
    public String toString() {
      return name;
    }
  }

  @RegisterExtension
  static final RouterExtension router = RouterExtension.builder().settings("maxBodyBytes: 2048").build();

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (InputStream in = BadRequestCorpusTest.class.getResourceAsStream(DIR + "cases.tsv")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        cases.add(Arguments.of(new Case(f[0], f[1], none(f[2]), Integer.parseInt(f[3]), none(f[4]), none(f[5]),
            none(f[6]))));
      }
    }
    assertThat(cases).hasSizeGreaterThan(40);
    return cases.stream();
  }

  private static String none(String field) {
    return "-".equals(field) ? null : field;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theRouterAnswersAsTheCorpusSays(Case c) throws Exception {
    byte[] body;
    try (InputStream in = BadRequestCorpusTest.class.getResourceAsStream(DIR + c.name() + ".body")) {
      body = in.readAllBytes();
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(router.baseUrl() + c.path()))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (c.contentType() != null) {
      request.header("content-type", c.contentType());
    }
    int forwarded = router.engine().received.size();
    HttpResponse<String> response = router.http().send(request.build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(c.status());
    if (c.status() == 200) {
      assertThat(router.engine().received).hasSize(forwarded + 1);
      return;
    }
    assertThat(router.engine().received).as("a refused request never reaches a pod").hasSize(forwarded);
    JsonObject error = ErrorResponsesTest.error(response);
    assertThat(error.getString("type")).isEqualTo(c.type());
    assertThat(error.getString("param")).isEqualTo(c.param());
    if (c.code() != null) {
      assertThat(error.getString("code")).isEqualTo(c.code());
    }
  }
}

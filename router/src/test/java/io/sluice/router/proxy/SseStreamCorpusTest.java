package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.RouterExtension;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine-stream corpus (src/test/resources/sse-streams/cases.tsv): what an engine sends, in
 * every framing the SSE spec allows, and what the client must get and the router must count.
 * Each case runs through {@link UsageWatcher} cut at every byte, and through the real router
 * with the engine writing 5-byte chunks.
 */
class SseStreamCorpusTest {
  private static final String BODY =
      "{\"model\":\"m1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";

  record Case(String name, boolean hidden, long promptTokens, long outputTokens, byte[] sent, byte[] expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  @RegisterExtension
  static final RouterExtension router = RouterExtension.builder().engines("raw")
      .eachEngine(engine -> engine.pieceBytes = 5).build();

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (InputStream in = SseStreamCorpusTest.class.getResourceAsStream("/sse-streams/cases.tsv")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        byte[] sent = unescape(f[4]);
        cases.add(Arguments.of(new Case(f[0], f[1].equals("hidden"), Long.parseLong(f[2]), Long.parseLong(f[3]),
            sent, f[5].equals("=") ? sent : unescape(f[5]))));
      }
    }
    assertThat(cases).hasSizeGreaterThan(10);
    return cases.stream();
  }

  private static byte[] unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char next = field.charAt(++i);
      out.append(switch (next) {
        case 'r' -> '\r';
        case 'n' -> '\n';
        case 't' -> '\t';
        case '\\' -> '\\';
        default -> throw new IllegalArgumentException("unknown escape \\" + next + " in " + field);
      });
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] watch(UsageWatcher watcher, byte[] sent, int... cuts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int from = 0;
    for (int cut : cuts) {
      out.writeBytes(watcher.onChunk(Buffer.buffer(Arrays.copyOfRange(sent, from, cut))).getBytes());
      from = cut;
    }
    out.writeBytes(watcher.onChunk(Buffer.buffer(Arrays.copyOfRange(sent, from, sent.length))).getBytes());
    out.writeBytes(watcher.onEnd().getBytes());
    return out.toByteArray();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theWatcherPassesAndCountsAsTheCorpusSaysWhereverTheChunksAreCut(Case c) {
    for (int cut = 0; cut <= c.sent().length; cut++) {
      UsageWatcher watcher = new UsageWatcher(true, c.hidden(), n -> {});
      assertThat(new String(watch(watcher, c.sent(), cut), StandardCharsets.UTF_8)).as("cut at %d", cut)
          .isEqualTo(new String(c.expected(), StandardCharsets.UTF_8));
      assertThat(watcher.promptTokens()).as("prompt tokens, cut at %d", cut).isEqualTo(c.promptTokens());
      assertThat(watcher.outputTokens()).as("output tokens, cut at %d", cut).isEqualTo(c.outputTokens());
    }
    int[] everyByte = new int[Math.max(0, c.sent().length - 1)];
    Arrays.setAll(everyByte, i -> i + 1);
    UsageWatcher watcher = new UsageWatcher(true, c.hidden(), n -> {});
    assertThat(watch(watcher, c.sent(), everyByte)).as("one byte at a time").isEqualTo(c.expected());
    assertThat(watcher.outputTokens()).isEqualTo(c.outputTokens());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theClientGetsWhatTheCorpusSaysThroughTheRouter(Case c) throws Exception {
    router.engine().rawStream = c.sent();
    String body = c.hidden() ? BODY
        : BODY.replace("\"stream\":true,", "\"stream\":true,\"stream_options\":{\"include_usage\":true},");
    HttpResponse<byte[]> response = router.http().send(HttpRequest.newBuilder(
            URI.create(router.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new String(response.body(), StandardCharsets.UTF_8))
        .isEqualTo(new String(c.expected(), StandardCharsets.UTF_8));
  }
}

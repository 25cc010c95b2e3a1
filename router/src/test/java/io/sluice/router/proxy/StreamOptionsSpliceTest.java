package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The request bytes of a stream get {@code stream_options.include_usage} by a splice, not a rewrite. */
class StreamOptionsSpliceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void addsTheMemberFirstAndKeepsEveryOtherByte() throws Exception {
    String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"h\\u00e9 \u00e9\"}]}";
    Buffer out = ProxyHandler.withStreamOptions(body.getBytes(StandardCharsets.UTF_8));

    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"stream_options\":{\"include_usage\":true}," + body.substring(1));
    JsonNode parsed = JSON.readTree(out.getBytes());
    assertThat(parsed.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(parsed.path("messages").get(0).path("content").asText()).isEqualTo("hé é");
  }

  @Test
  void leadingWhitespaceByteOrderMarkAndAnEmptyObject() throws Exception {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] rest = " \n\t{ \"model\" : \"m\" }\n".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[bom.length + rest.length];
    System.arraycopy(bom, 0, body, 0, bom.length);
    System.arraycopy(rest, 0, body, bom.length, rest.length);
    JsonNode parsed = JSON.readTree(ProxyHandler.withStreamOptions(body).getBytes());
    assertThat(parsed.path("model").asText()).isEqualTo("m");
    assertThat(parsed.path("stream_options").path("include_usage").asBoolean()).isTrue();

    JsonNode empty = JSON.readTree(ProxyHandler.withStreamOptions(" { } ".getBytes(StandardCharsets.UTF_8)).getBytes());
    assertThat(empty.size()).isEqualTo(1);
    assertThat(empty.path("stream_options").path("include_usage").asBoolean()).isTrue();
  }

  @Test
  void utf16BodiesAreLeftToTheCallerToReserialise() {
    byte[] utf16 = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_16BE);
    assertThat(ProxyHandler.withStreamOptions(utf16)).isNull();
    assertThat(ProxyHandler.withStreamOptions("{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_16LE))).isNull();
  }
}

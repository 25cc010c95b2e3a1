package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsageWatcherTest {
  private static final String STREAM = ""
      + "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
      + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"héllo \"}}]}\n\n"
      + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"wörld 你好\"}}]}\n\n"
      + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
      + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}\n\n"
      + "data: [DONE]\n\n";

  private static final String USAGE =
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}\n\n";

  private static String feedInPieces(UsageWatcher watcher, byte[] bytes, int piece) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < bytes.length; i += piece) {
      out.writeBytes(watcher.onChunk(Buffer.buffer(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + piece))))
          .getBytes());
    }
    out.writeBytes(watcher.onEnd().getBytes());
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Feeds {@code bytes} in two chunks cut at {@code cut}, each a slice of a larger buffer (as Vert.x may hand them). */
  private static String feedCutAt(UsageWatcher watcher, byte[] bytes, int cut) {
    Buffer whole = Buffer.buffer("xx").appendBytes(bytes).appendString("yy");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(watcher.onChunk(whole.slice(2, 2 + cut)).getBytes());
    out.writeBytes(watcher.onChunk(whole.slice(2 + cut, 2 + bytes.length)).getBytes());
    out.writeBytes(watcher.onEnd().getBytes());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String framed(String stream, String lineEnd) {
    return stream.replace("\n", lineEnd);
  }

  @Test
  void hidesTheUsageChunkTheClientDidNotAskForAndKeepsEveryOtherByte() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int piece : new int[] {1, 3, 7, 64, bytes.length}) {
      List<Long> progress = new ArrayList<>();
      UsageWatcher watcher = new UsageWatcher(true, true, progress::add);
      String out = feedInPieces(watcher, bytes, piece);
      assertThat(out).isEqualTo(STREAM.replace(USAGE, ""));
      assertThat(watcher.promptTokens()).isEqualTo(12);
      assertThat(watcher.outputTokens()).isEqualTo(3);
      assertThat(progress).startsWith(1L, 2L).endsWith(3L);
    }
  }

  @Test
  void keepsTheUsageChunkWhenTheClientAskedForIt() {
    UsageWatcher watcher = new UsageWatcher(true, false, n -> {});
    assertThat(feedInPieces(watcher, STREAM.getBytes(StandardCharsets.UTF_8), 5)).isEqualTo(STREAM);
  }

  @Test
  void countsChunksWhenTheStreamEndsWithoutUsage() {
    String cut = STREAM.substring(0, STREAM.indexOf("data: {\"choices\":[],"));
    UsageWatcher watcher = new UsageWatcher(true, true, n -> {});
    feedInPieces(watcher, cut.getBytes(StandardCharsets.UTF_8), 10);
    assertThat(watcher.promptTokens()).isEqualTo(-1);
    assertThat(watcher.outputTokens()).isEqualTo(2);
  }

  @Test
  void readsUsageOfAPlainJsonResponse() {
    String json = "{\"id\":\"x\",\"choices\":[{\"text\":\"hi\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}";
    UsageWatcher watcher = new UsageWatcher(false, false, n -> {});
    assertThat(feedInPieces(watcher, json.getBytes(StandardCharsets.UTF_8), 4)).isEqualTo(json);
    assertThat(watcher.promptTokens()).isEqualTo(5);
    assertThat(watcher.outputTokens()).isEqualTo(7);
  }

  @Test
  void passesAnythingItCannotParse() {
    String odd = ": keep-alive\n\ndata: not json\n\nevent: x\ndata: {}\n\n";
    UsageWatcher watcher = new UsageWatcher(true, true, n -> {});
    assertThat(feedInPieces(watcher, odd.getBytes(StandardCharsets.UTF_8), 2)).isEqualTo(odd);
  }

  @Test
  void anEventItCannotReadDoesNotSpoilTheEventsAfterIt() {
    String stream = ""
        + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"
        + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}\n\n" // truncated
        + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c\"}}]}\nid: 7\n\n" // a line after the JSON
        + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"d\"}}]} {\"x\":1}\n\n" // two values
        + "data: not json\n\n"
        + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"e\"}}]}\n\n"
        + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":5}}\n\n"
        + "data: [DONE]\n\n";
    for (int piece : new int[] {1, 9, stream.length()}) {
      List<Long> progress = new ArrayList<>();
      UsageWatcher watcher = new UsageWatcher(true, false, progress::add);
      assertThat(feedInPieces(watcher, stream.getBytes(StandardCharsets.UTF_8), piece)).isEqualTo(stream);
      assertThat(progress).as("a, c, d and e counted as they came, then the engine's own count")
          .containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(watcher.outputTokens()).isEqualTo(5);
      assertThat(watcher.promptTokens()).isEqualTo(4);
    }
  }

  /** Issue 16 (Streams): with CRLF or CR framing the usage chunk leaked and output counted as 0. */
  @ParameterizedTest(name = "lines end in {0}")
  @ValueSource(strings = {"\\n", "\\r\\n", "\\r"})
  void hidesTheUsageChunkAndCountsItWhateverTheLineEndsAndWhereverTheChunksAreCut(String escaped) {
    String lineEnd = escaped.replace("\\r", "\r").replace("\\n", "\n");
    String stream = framed(STREAM, lineEnd);
    String expected = framed(STREAM.replace(USAGE, ""), lineEnd);
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      UsageWatcher watcher = new UsageWatcher(true, true, n -> {});
      assertThat(feedCutAt(watcher, bytes, cut)).as("cut at %d", cut).isEqualTo(expected);
      assertThat(watcher.outputTokens()).as("cut at %d", cut).isEqualTo(3);
      assertThat(watcher.promptTokens()).isEqualTo(12);
      UsageWatcher asked = new UsageWatcher(true, false, n -> {});
      assertThat(feedCutAt(asked, bytes, cut)).as("cut at %d, usage asked for", cut).isEqualTo(stream);
    }
    for (int piece = 1; piece <= 16; piece++) {
      List<Long> progress = new ArrayList<>();
      UsageWatcher watcher = new UsageWatcher(true, true, progress::add);
      assertThat(feedInPieces(watcher, bytes, piece)).as("pieces of %d", piece).isEqualTo(expected);
      assertThat(progress).startsWith(1L, 2L).endsWith(3L);
    }
  }

  @ParameterizedTest(name = "lines end in {0}")
  @ValueSource(strings = {"\\n", "\\r\\n", "\\r"})
  void passesEachEventOnAsSoonAsItsBlankLineArrives(String escaped) {
    String lineEnd = escaped.replace("\\r", "\r").replace("\\n", "\n");
    String first = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hé\"}}]}" + lineEnd + lineEnd;
    byte[] bytes = (first + "data: {\"cho").getBytes(StandardCharsets.UTF_8);
    UsageWatcher watcher = new UsageWatcher(true, true, n -> {});
    assertThat(watcher.onChunk(Buffer.buffer(bytes)).toString(StandardCharsets.UTF_8)).isEqualTo(first);
    assertThat(watcher.outputTokens()).isEqualTo(1);
  }

  @Test
  void aChunkOfWholeEventsPassesOnAsItCame() {
    Buffer chunk = Buffer.buffer(STREAM.substring(0, STREAM.indexOf(USAGE)));
    assertThat(new UsageWatcher(true, true, n -> {}).onChunk(chunk)).isSameAs(chunk);
  }

  @Test
  void anLfCompletingTheCrlfOfAHiddenEventIsHiddenWithIt() {
    UsageWatcher watcher = new UsageWatcher(true, true, n -> {});
    String usage = framed(USAGE, "\r\n");
    assertThat(watcher.onChunk(Buffer.buffer(usage.substring(0, usage.length() - 1))).length()).isZero();
    assertThat(watcher.onChunk(Buffer.buffer("\ndata: [DONE]\r\n\r\n")).toString()).isEqualTo("data: [DONE]\r\n\r\n");
    assertThat(watcher.outputTokens()).isEqualTo(3);
  }

  /** A Responses stream as vLLM sends it: an event: line before each data: line, usage in response.completed. */
  private static final String RESPONSES_STREAM = ""
      + "event: response.created\n"
      + "data: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"usage\":null},\"sequence_number\":0}\n\n"
      + "event: response.output_text.delta\n"
      + "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"h\u00e9llo \",\"sequence_number\":1}\n\n"
      + "event: response.output_text.delta\n"
      + "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"w\u00f6rld\",\"sequence_number\":2}\n\n"
      + "event: response.output_text.done\n"
      + "data: {\"type\":\"response.output_text.done\",\"text\":\"h\u00e9llo w\u00f6rld\",\"sequence_number\":3}\n\n"
      + "event: response.completed\n"
      + "data: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"output\":[{\"type\":\"message\","
      + "\"content\":[{\"type\":\"output_text\",\"text\":\"h\u00e9llo w\u00f6rld\"}]}],\"status\":\"completed\","
      + "\"usage\":{\"input_tokens\":12,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":5,"
      + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":17}},\"sequence_number\":4}\n\n";

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r\n", "\r"})
  void readsTheUsageOfResponseCompletedAfterItsEventLineAndPassesEveryByte(String lineEnd) {
    String stream = framed(RESPONSES_STREAM, lineEnd);
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int piece : new int[] {1, 3, 7, 64, bytes.length}) {
      List<Long> progress = new ArrayList<>();
      UsageWatcher watcher = new UsageWatcher(true, false, progress::add);
      assertThat(feedInPieces(watcher, bytes, piece)).isEqualTo(stream);
      assertThat(watcher.promptTokens()).isEqualTo(12);
      assertThat(watcher.outputTokens()).isEqualTo(5);
      assertThat(progress).as("each output delta counted as it came, then the usage").containsExactly(1L, 2L, 5L);
    }
  }

  @Test
  void readsAPlainResponsesBodysInputAndOutputTokens() {
    UsageWatcher watcher = new UsageWatcher(false, false, n -> { });
    byte[] body = ("{\"id\":\"resp_1\",\"object\":\"response\",\"output\":[],"
        + "\"usage\":{\"input_tokens\":9,\"output_tokens\":4,\"total_tokens\":13}}").getBytes(StandardCharsets.UTF_8);
    watcher.onChunk(Buffer.buffer(body));
    watcher.onEnd();
    assertThat(watcher.promptTokens()).isEqualTo(9);
    assertThat(watcher.outputTokens()).isEqualTo(4);
  }
}

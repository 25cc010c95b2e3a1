package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 16 (Streams): events end at an empty line, whether lines end in LF, CRLF or CR. */
class SseFramerTest {
  /** Events as the spec frames them, each with its blank line; multi-byte UTF-8 in several. */
  static Stream<Arguments> framings() {
    return Stream.of(
        Arguments.of("LF", List.of(
            ": ping\n\n",
            "data: {\"content\":\"héllo\"}\n\n",
            "event: x\ndata: 你好\nid: 7\n\n",
            "data: 🙂\n\n",
            "data: [DONE]\n\n")),
        Arguments.of("CRLF", List.of(
            ": ping\r\n\r\n",
            "data: {\"content\":\"héllo\"}\r\n\r\n",
            "event: x\r\ndata: 你好\r\nid: 7\r\n\r\n",
            "data: 🙂\r\n\r\n",
            "data: [DONE]\r\n\r\n")),
        Arguments.of("CR", List.of(
            ": ping\r\r",
            "data: {\"content\":\"héllo\"}\r\r",
            "event: x\rdata: 你好\rid: 7\r\r",
            "data: 🙂\r\r",
            "data: [DONE]\r\r")),
        Arguments.of("mixed", List.of(
            "\n", // an empty line before any event: an (empty) event of its own
            "data: a\r\n\n",
            "data: b\n\r\n",
            "data: ü\r\r",
            "event: x\ndata: d\r\n\r",
            "data: é\n\r\n",
            "data: 你\r\r\n",
            "\r\n",
            "data: [DONE]\r\n\r\n")));
  }

  /**
   * Feeds {@code stream} cut at {@code cuts} and returns the events found, each as the bytes the
   * framer assigned to it (a continuing LF goes to the event before it), decoded whole.
   */
  private static List<String> frame(byte[] stream, int... cuts) {
    SseFramer framer = new SseFramer();
    List<ByteArrayOutputStream> events = new ArrayList<>();
    ByteArrayOutputStream pending = new ByteArrayOutputStream();
    int[] bounds = new int[cuts.length + 2];
    System.arraycopy(cuts, 0, bounds, 1, cuts.length);
    bounds[bounds.length - 1] = stream.length;
    for (int c = 0; c + 1 < bounds.length; c++) {
      byte[] chunk = Arrays.copyOfRange(stream, bounds[c], bounds[c + 1]);
      int at = 0;
      if (framer.continuesLastEvent(chunk, 0, chunk.length)) {
        assertThat(pending.size()).as("an LF continues an event only once it ended").isZero();
        events.get(events.size() - 1).write(chunk[0]);
        at = 1;
      }
      for (int end; (end = framer.eventEnd(chunk, at, chunk.length)) >= 0; at = end) {
        pending.write(chunk, at, end - at);
        events.add(pending);
        pending = new ByteArrayOutputStream();
      }
      pending.write(chunk, at, chunk.length - at);
    }
    assertThat(pending.size()).as("bytes left after the last event").isZero();
    return events.stream().map(event -> event.toString(StandardCharsets.UTF_8)).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("framings")
  void findsEveryEventWhereverTheChunksAreCut(String framing, List<String> events) {
    byte[] stream = String.join("", events).getBytes(StandardCharsets.UTF_8);
    assertThat(frame(stream)).containsExactlyElementsOf(events);
    for (int cut = 0; cut <= stream.length; cut++) {
      assertThat(frame(stream, cut)).as("cut at %d", cut).containsExactlyElementsOf(events);
    }
    int[] everyByte = new int[stream.length - 1];
    Arrays.setAll(everyByte, i -> i + 1);
    assertThat(frame(stream, everyByte)).as("one byte at a time").containsExactlyElementsOf(events);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("framings")
  void findsEveryEventWhereverTwoCutsFall(String framing, List<String> events) {
    byte[] stream = String.join("", events).getBytes(StandardCharsets.UTF_8);
    for (int first = 1; first < stream.length; first++) {
      for (int second = first; second < stream.length; second++) {
        assertThat(frame(stream, first, second)).as("cuts at %d and %d", first, second)
            .containsExactlyElementsOf(events);
      }
    }
  }

  @Test
  void aCrAtTheEndOfAChunkEndsTheEventWithoutWaitingForTheNextChunk() {
    SseFramer framer = new SseFramer();
    byte[] first = "data: a\r\r".getBytes(StandardCharsets.US_ASCII);
    assertThat(framer.eventEnd(first, 0, first.length)).isEqualTo(first.length);
    byte[] next = "\ndata: b\r\r".getBytes(StandardCharsets.US_ASCII);
    assertThat(framer.continuesLastEvent(next, 0, next.length)).as("the LF of the CRLF that ended it").isTrue();
    assertThat(framer.eventEnd(next, 1, next.length)).isEqualTo(next.length);
  }

  @Test
  void anLfAfterACrThatEndedOnlyALineIsNoEmptyLine() {
    SseFramer framer = new SseFramer();
    byte[] first = "data: a\r".getBytes(StandardCharsets.US_ASCII);
    assertThat(framer.eventEnd(first, 0, first.length)).isEqualTo(-1);
    byte[] next = "\ndata: b\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(framer.continuesLastEvent(next, 0, next.length)).isFalse();
    assertThat(framer.eventEnd(next, 0, next.length)).isEqualTo(next.length);
  }
}

package io.sluice.sim.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplaySseScannerTest {
  private static final String ROLE = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
  private static final String TOKEN = "data: {\"choices\":[{\"delta\":{\"content\":\"ab\"}}]}\n\n";
  private static final String USAGE = "data: {\"choices\":[],\"usage\":{\"completion_tokens\":2}}\n\n";

  @Test
  void countsContentChunksButNotRoleOrUsage() {
    SseScanner sse = new SseScanner();

    assertThat(sse.feed(ROLE + TOKEN + TOKEN + USAGE + "data: [DONE]\n\n")).isEqualTo(2);
    assertThat(sse.done()).isTrue();
    assertThat(sse.error()).isEmpty();
  }

  @Test
  void anEventSplitAcrossPiecesCountsOnceItIsComplete() {
    SseScanner sse = new SseScanner();

    assertThat(sse.feed(TOKEN.substring(0, 20))).isZero();
    assertThat(sse.feed(TOKEN.substring(20, TOKEN.length() - 1))).isZero();
    assertThat(sse.feed("\n" + TOKEN.substring(0, 5))).isEqualTo(1);
    assertThat(sse.done()).isFalse();
  }

  @Test
  void acceptsCrlfDelimiters() {
    SseScanner sse = new SseScanner();

    assertThat(sse.feed(TOKEN.replace("\n\n", "\r\n\r\n") + "data: [DONE]\r\n\r\n")).isEqualTo(1);
    assertThat(sse.done()).isTrue();
  }

  @Test
  void acceptsCrDelimitersAndMixedOnesWhereverThePiecesAreCut() {
    String stream = TOKEN.replace("\n\n", "\r\r") + TOKEN.replace("\n\n", "\n\r\n") + TOKEN.replace("\n\n", "\r\n\r")
        + ROLE + "data: [DONE]\r\r";
    for (int cut = 0; cut <= stream.length(); cut++) {
      SseScanner sse = new SseScanner();
      assertThat(sse.feed(stream.substring(0, cut)) + sse.feed(stream.substring(cut))).as("cut at %d", cut).isEqualTo(3);
      assertThat(sse.done()).as("cut at %d", cut).isTrue();
    }
  }

  @Test
  void keepsTheFirstErrorEvent() {
    SseScanner sse = new SseScanner();

    sse.feed(TOKEN + "data: {\"error\":{\"message\":\"engine gone\"}}\n\n");

    assertThat(sse.error()).contains("engine gone");
  }
}

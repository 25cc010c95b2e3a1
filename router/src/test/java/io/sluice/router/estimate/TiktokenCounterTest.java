package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.router.api.ApiKind;
import org.junit.jupiter.api.Test;

class TiktokenCounterTest {

  @Test
  void countsWithTheNamedEncoding() {
    TiktokenCounter cl100k = TiktokenCounter.of("cl100k_base", SegmentCache.defaults(), 85);
    // "hello world" is two tokens in cl100k_base ("hello", " world").
    assertThat(cl100k.count(Requests.of(ApiKind.COMPLETIONS, "{\"prompt\": \"hello world\"}")))
        .isEqualTo(new PromptCount(2, PromptCount.TIKTOKEN));
    assertThat(cl100k.countText("hello world")).isEqualTo(2);
  }

  @Test
  void chatAddsOpenAisPerMessageOverhead() {
    TiktokenCounter counter = TiktokenCounter.of("o200k_base", SegmentCache.defaults(), 85);
    long tokens = counter.count(Requests.chat("""
        {"messages": [{"role": "user", "content": "hello world"}]}""")).tokens();
    // "user" (1) + "hello world" (2) + 3 per message + 3 for the reply.
    assertThat(tokens).isEqualTo(1 + 2 + 3 + 3);
  }

  @Test
  void specialTokenTextIsOrdinaryText() {
    TiktokenCounter counter = TiktokenCounter.of("cl100k_base", SegmentCache.defaults(), 85);
    assertThat(counter.countText("<|endoftext|>")).isGreaterThan(1);
  }

  @Test
  void unknownEncodingIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> TiktokenCounter.of("o300k", SegmentCache.defaults(), 85))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("o200k_base");
  }
}

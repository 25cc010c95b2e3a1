package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.api.ApiKind;
import org.junit.jupiter.api.Test;

class ApproximateCounterTest {
  private final ApproximateCounter counter = new ApproximateCounter(576);

  @Test
  void countsCodePointsOverFourRoundedUp() {
    assertThat(ApproximateCounter.countText("")).isZero();
    assertThat(ApproximateCounter.countText("abcd")).isEqualTo(1);
    assertThat(ApproximateCounter.countText("abcde")).isEqualTo(2);
  }

  @Test
  void countsCodePointsNotBytesOrChars() {
    // 8 CJK characters are 24 UTF-8 bytes; 4 emoji are 8 UTF-16 chars and 16 bytes.
    assertThat(ApproximateCounter.countText("東京は日本の首都")).isEqualTo(2);
    assertThat(ApproximateCounter.countText("🚀🔥✨👍")).isEqualTo(1);
  }

  @Test
  void chatCountsEveryTextPlusFramingAndImages() {
    PromptCount count = counter.count(Requests.chat("""
        {"messages": [
          {"role": "system", "content": "abcdefgh"},
          {"role": "user", "content": [{"type": "text", "text": "abcd"},
                                       {"type": "image_url", "image_url": {"url": "data:"}}]}]}
        """));
    // texts: "system"(6) + "abcdefgh"(8) + "user"(4) + "abcd"(4) = 22 code points -> 6 tokens;
    // framing 2 x 4 + 3 = 11; one image 576.
    assertThat(count).isEqualTo(new PromptCount(6 + 11 + 576, PromptCount.APPROXIMATE));
  }

  @Test
  void toolDefinitionsAndToolCallsAreCounted() {
    long without = counter.count(Requests.chat("""
        {"messages": [{"role": "user", "content": "hi"}]}""")).tokens();
    long withTools = counter.count(Requests.chat("""
        {"messages": [{"role": "user", "content": "hi"}],
         "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]}""")).tokens();
    long withCall = counter.count(Requests.chat("""
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": null,
          "tool_calls": [{"id": "1", "type": "function",
                          "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}}]}]}""")).tokens();
    assertThat(withTools).isGreaterThan(without + 10);
    assertThat(withCall).isGreaterThan(without + 4 + 5);
  }

  @Test
  void completionTokenIdsCountAsThemselves() {
    assertThat(counter.count(Requests.of(ApiKind.COMPLETIONS, """
        {"prompt": [[1, 2, 3], [4, 5]]}""")).tokens()).isEqualTo(5);
    assertThat(counter.count(Requests.of(ApiKind.COMPLETIONS, """
        {"prompt": [1, 2, 3, 4]}""")).tokens()).isEqualTo(4);
    assertThat(counter.count(Requests.of(ApiKind.COMPLETIONS, """
        {"prompt": ["abcd", "abcdefgh"]}""")).tokens()).isEqualTo(3);
  }

  @Test
  void embeddingInputIsCounted() {
    assertThat(counter.count(Requests.of(ApiKind.EMBEDDINGS, """
        {"input": "abcdefghijkl"}""")).tokens()).isEqualTo(3);
  }

  @Test
  void isCheapAndFallbackIsLabelled() {
    assertThat(counter.cheap()).isTrue();
    assertThat(counter.asFallback().count(Requests.of(ApiKind.EMBEDDINGS, "{\"input\": \"x\"}")).source())
        .isEqualTo(PromptCount.FALLBACK);
  }
}

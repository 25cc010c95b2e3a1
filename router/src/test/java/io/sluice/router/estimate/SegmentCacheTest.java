package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-message cache, with a tokenizer that records what it was asked to tokenize. */
class SegmentCacheTest {
  private static final class RecordingCounter extends TokenizingCounter {
    final List<String> tokenized = new ArrayList<>();

    RecordingCounter() {
      super("recording", OverheadTemplate.CHATML, new SegmentSplitter(List.of("<|im_start|>")), SegmentCache.defaults(),
          10);
    }

    @Override
    int tokenize(String text) {
      tokenized.add(text);
      return text.length();
    }
  }

  @Test
  void resentHistoryIsNotTokenizedAgain() {
    RecordingCounter counter = new RecordingCounter();
    counter.count(Requests.chat("""
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "First question"}]}"""));
    counter.tokenized.clear();
    PromptCount second = counter.count(Requests.chat("""
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "First question"},
                      {"role": "assistant", "content": "First answer"}, {"role": "user", "content": "Second question"}]}"""));
    assertThat(counter.tokenized).containsExactly("assistant", "First answer", "Second question");
    assertThat(second.source()).isEqualTo("recording");
  }

  @Test
  void aFullyCachedPromptReportsCache() {
    RecordingCounter counter = new RecordingCounter();
    String body = """
        {"messages": [{"role": "user", "content": "hello <|im_start|> there"}]}""";
    PromptCount cold = counter.count(Requests.chat(body));
    PromptCount warm = counter.count(Requests.chat(body));
    assertThat(warm).isEqualTo(new PromptCount(cold.tokens(), PromptCount.CACHE));
    assertThat(counter.cache().hitRate()).isPositive();
  }

  @Test
  void countsAreSumsOfPiecesPlusOnePerAddedToken() {
    RecordingCounter counter = new RecordingCounter();
    assertThat(counter.countText("ab<|im_start|>cde")).isEqualTo(2 + 1 + 3);
  }

  @Test
  void cacheIsBoundedAndClears() {
    SegmentCache cache = new SegmentCache(10);
    for (int i = 0; i < 1000; i++) {
      cache.put(ContentHash.of("text " + i), i);
    }
    assertThat(cache.size()).isLessThanOrEqualTo(10);
    cache.clear();
    assertThat(cache.size()).isZero();
  }

  @Test
  void hashesDifferForDifferentTexts() {
    assertThat(ContentHash.of("abc")).isEqualTo(ContentHash.of("abc")).isNotEqualTo(ContentHash.of("abd"));
    assertThat(ContentHash.of(1, "abc")).isNotEqualTo(ContentHash.of(2, "abc"));
  }
}

package io.sluice.router.estimate;

import io.sluice.router.api.InferenceRequest;

/**
 * The common path of the exact counters: render the prompt, split it at the tokenizer's added
 * tokens, and count each piece from the cache or with the tokenizer. Subclasses supply the
 * tokenizer.
 */
abstract class TokenizingCounter implements PromptCounter {
  private final ChatTemplate template;
  private final SegmentSplitter splitter;
  private final SegmentCache cache;
  private final int imageTokens;
  private final String source;

  TokenizingCounter(String source, ChatTemplate template, SegmentSplitter splitter, SegmentCache cache,
      int imageTokens) {
    this.source = source;
    this.template = template;
    this.splitter = splitter;
    this.cache = cache;
    this.imageTokens = imageTokens;
  }

  /** Tokens of a piece of text that contains no added token. */
  abstract int tokenize(String text);

  public ChatTemplate template() {
    return template;
  }

  public SegmentCache cache() {
    return cache;
  }

  @Override
  public PromptCount count(InferenceRequest request) {
    Prompt prompt = PromptTexts.of(request, template, imageTokens);
    Tally tally = new Tally();
    for (String text : prompt.texts()) {
      splitter.split(text, tally);
    }
    return new PromptCount(prompt.fixedTokens() + tally.tokens, tally.tokenized ? source : PromptCount.CACHE);
  }

  /** Counts one text as a completion prompt: no chat template, pieces cached. */
  public long countText(String text) {
    Tally tally = new Tally();
    splitter.split(text, tally);
    return tally.tokens;
  }

  /**
   * The text with each unpaired surrogate (JSON allows {@code "\ud800"}) replaced by {@code ?}:
   * the tokenizers only take well-formed Unicode (JTokkit throws an AssertionError otherwise).
   */
  static String wellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return new String(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return text;
  }

  private final class Tally implements SegmentSplitter.Sink {
    long tokens;
    boolean tokenized;

    @Override
    public void text(String text, int from, int to) {
      String piece = from == 0 && to == text.length() ? text : text.substring(from, to);
      ContentHash key = ContentHash.of(piece);
      int count = cache.get(key);
      if (count < 0) {
        count = tokenize(wellFormed(piece));
        cache.put(key, count);
        tokenized = true;
      }
      tokens += count;
    }

    @Override
    public void addedToken() {
      tokens++;
    }
  }
}

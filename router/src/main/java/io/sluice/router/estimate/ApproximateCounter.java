package io.sluice.router.estimate;

import io.sluice.router.api.InferenceRequest;

/**
 * Unicode code points / 4, rounded up, over every text that becomes tokens, plus the chat framing
 * of {@link OverheadTemplate#CHATML}, images at their flat cost and token id arrays as they are.
 * Code points, never bytes: a UTF-8 byte count depends on the script (1 to 4 bytes a character),
 * not on how much text there is. Cheap enough for any thread.
 */
public final class ApproximateCounter implements PromptCounter {
  private final int imageTokens;
  private final String source;

  public ApproximateCounter(int imageTokens) {
    this(imageTokens, PromptCount.APPROXIMATE);
  }

  private ApproximateCounter(int imageTokens, String source) {
    this.imageTokens = imageTokens;
    this.source = source;
  }

  /** The same count, reported as {@code approximate-fallback}. */
  public ApproximateCounter asFallback() {
    return new ApproximateCounter(imageTokens, PromptCount.FALLBACK);
  }

  @Override
  public PromptCount count(InferenceRequest request) {
    Prompt prompt = PromptTexts.of(request, OverheadTemplate.CHATML, imageTokens);
    long codePoints = 0;
    for (String text : prompt.texts()) {
      codePoints += text.codePointCount(0, text.length());
    }
    return new PromptCount(prompt.fixedTokens() + tokens(codePoints), source);
  }

  /** {@code ceil(codePoints / 4)}. */
  public static long tokens(long codePoints) {
    return (codePoints + 3) / 4;
  }

  /** Tokens of one text: its code points / 4, rounded up. */
  public static long countText(String text) {
    return tokens(text.codePointCount(0, text.length()));
  }

  @Override
  public boolean cheap() {
    return true;
  }
}

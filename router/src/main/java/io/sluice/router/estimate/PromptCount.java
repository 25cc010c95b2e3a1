package io.sluice.router.estimate;

/**
 * A prompt token count and what produced it.
 *
 * @param tokens prompt tokens
 * @param source {@code approximate}, {@code huggingface}, {@code tiktoken}, {@code engine},
 *     {@code cache} (nothing had to be tokenized) or {@code approximate-fallback}
 */
public record PromptCount(long tokens, String source) {
  public static final String APPROXIMATE = "approximate";
  public static final String HUGGINGFACE = "huggingface";
  public static final String TIKTOKEN = "tiktoken";
  public static final String ENGINE = "engine";
  public static final String CACHE = "cache";
  public static final String FALLBACK = "approximate-fallback";

  public PromptCount {
    if (tokens < 0) {
      throw new IllegalArgumentException("tokens must not be negative: " + tokens);
    }
  }
}

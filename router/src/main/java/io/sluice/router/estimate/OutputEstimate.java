package io.sluice.router.estimate;

/**
 * Output tokens a request is expected to generate, and what the figure came from.
 *
 * @param tokens expected output tokens (all choices)
 * @param source {@code max_tokens}, {@code quantile-pool}, {@code quantile-tenant},
 *     {@code default} or {@code none} (embeddings)
 */
public record OutputEstimate(long tokens, String source) {
  public static final String MAX_TOKENS = "max_tokens";
  public static final String QUANTILE_POOL = "quantile-pool";
  public static final String QUANTILE_TENANT = "quantile-tenant";
  public static final String DEFAULT = "default";
  public static final String NONE = "none";
}

package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sluice.crd.BudgetSpec;
import io.sluice.router.api.ApiKind;
import io.sluice.router.api.InferenceRequest;

/**
 * Predicts a request's output tokens for one pool.
 *
 * <p>The learned figure is a quantile (default p90) of the real output lengths recently seen: the
 * tenant's own once it has {@code minTenantSamples}, else the pool's once it has
 * {@code minPoolSamples}, else {@code defaultOutputTokens}. {@code max_completion_tokens} /
 * {@code max_tokens} (the smaller when both are sent) is a hard bound, not a prediction: the
 * estimate is {@code min(bound, learned)}. A client that sends {@code max_tokens: 4096} in a pool
 * whose p90 is 300 reserves about 300, not 4096; when a stream outruns its estimate the ledger
 * grows the reservation as tokens arrive. Reserving the bound instead would admit a fraction of
 * what fits, since clients set generous bounds by habit. With {@code n} choices the estimate is
 * per choice, times {@code n}. Embeddings generate nothing.
 */
public final class OutputPredictor {
  /* Concurrency: every window is a SlidingQuantile (monitor on record, volatile snapshot on read);
   * the tenant windows live in a bounded Caffeine cache, created on a tenant's first observation
   * and evicted by size. predict() looks up without creating, so it neither locks nor allocates
   * a window. */

  /**
   * @param quantile quantile of recent output lengths used as the estimate, in (0, 1)
   * @param defaultOutputTokens estimate until there are enough samples
   * @param poolWindow how many recent outputs the pool's window holds
   * @param tenantWindow how many recent outputs each tenant's window holds
   * @param minPoolSamples samples before the pool's quantile is used
   * @param minTenantSamples samples before a tenant's own quantile is used
   * @param maxTenants tenants with a window of their own (least recently used beyond)
   */
  public record Settings(double quantile, int defaultOutputTokens, int poolWindow, int tenantWindow,
      int minPoolSamples, int minTenantSamples, long maxTenants) {

    /** The budget's quantile and default, with windows of 1024 (pool) and 128 (tenant). */
    public static Settings from(BudgetSpec budget) {
      return new Settings(budget.outputQuantile(), budget.defaultOutputTokens(), 1024, 128, 20, 50, 10_000);
    }
  }

  private final Settings settings;
  private final SlidingQuantile pool;
  private final Cache<String, SlidingQuantile> tenants;

  public OutputPredictor(Settings settings) {
    if (settings.minPoolSamples() > settings.poolWindow() || settings.minTenantSamples() > settings.tenantWindow()) {
      throw new IllegalArgumentException("a window must hold at least its minimum samples: " + settings);
    }
    this.settings = settings;
    this.pool = new SlidingQuantile(settings.quantile(), settings.poolWindow());
    this.tenants = Caffeine.newBuilder().maximumSize(settings.maxTenants()).build();
  }

  /** Output tokens for {@code request} from {@code tenant} (null when unknown). */
  public OutputEstimate predict(InferenceRequest request, String tenant) {
    if (request.kind() == ApiKind.EMBEDDINGS) {
      return new OutputEstimate(0, OutputEstimate.NONE);
    }
    ObjectNode body = request.body();
    long bound = Math.min(positive(body.get("max_completion_tokens")), positive(body.get("max_tokens")));
    long n = positive(body.get("n"));
    long choices = n == Long.MAX_VALUE ? 1 : n;
    OutputEstimate one = predict(bound == Long.MAX_VALUE ? 0 : bound, tenant);
    return new OutputEstimate(one.tokens() * choices, one.source());
  }

  /** Output tokens of one choice, bounded by {@code bound} when it is positive. */
  public OutputEstimate predict(long bound, String tenant) {
    OutputEstimate learned = learned(tenant);
    if (bound > 0 && bound <= learned.tokens()) {
      return new OutputEstimate(bound, OutputEstimate.MAX_TOKENS);
    }
    return learned;
  }

  private OutputEstimate learned(String tenant) {
    if (tenant != null) {
      SlidingQuantile own = tenants.getIfPresent(tenant);
      if (own != null) {
        SlidingQuantile.Snapshot s = own.snapshot();
        if (s.samples() >= settings.minTenantSamples()) {
          return new OutputEstimate(s.value(), OutputEstimate.QUANTILE_TENANT);
        }
      }
    }
    SlidingQuantile.Snapshot s = pool.snapshot();
    if (s.samples() >= settings.minPoolSamples()) {
      return new OutputEstimate(s.value(), OutputEstimate.QUANTILE_POOL);
    }
    return new OutputEstimate(settings.defaultOutputTokens(), OutputEstimate.DEFAULT);
  }

  /** Feeds the real output length of a finished request (all its choices). */
  public void observe(String tenant, long actualOutputTokens, int choices) {
    if (actualOutputTokens < 0) {
      throw new IllegalArgumentException("output tokens must not be negative: " + actualOutputTokens);
    }
    int perChoice = (int) Math.min(Integer.MAX_VALUE, (actualOutputTokens + Math.max(1, choices) - 1) / Math.max(1, choices));
    pool.record(perChoice);
    if (tenant != null) {
      tenants.get(tenant, t -> new SlidingQuantile(settings.quantile(), settings.tenantWindow())).record(perChoice);
    }
  }

  /** Feeds the real output length of a finished single-choice request. */
  public void observe(String tenant, long actualOutputTokens) {
    observe(tenant, actualOutputTokens, 1);
  }

  private static long positive(JsonNode node) {
    return node != null && node.canConvertToLong() && node.longValue() > 0 ? node.longValue() : Long.MAX_VALUE;
  }
}

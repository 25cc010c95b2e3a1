package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sluice.crd.BudgetSpec;
import io.sluice.router.api.InferenceRequest;

/**
 * Predicts a request's output tokens for one pool.
 *
 * <p>The learned figure is a quantile (default p90) of the real output lengths recently seen: the
 * caller's own once it has {@code minTenantSamples}, else the pool's once it has
 * {@code minPoolSamples}, else {@code defaultOutputTokens}; never below {@code minOutputTokens}. The
 * caller ("source") is its tenant, else its API key, else its address, so that one client's
 * outputs never stand for another's. What one request teaches is bounded three ways, so that a
 * client cannot poison the pool's estimate: no source holds more than an eighth of the pool's
 * window (see {@link SharedQuantile}); an output cut short by the request's own
 * {@code max_tokens} is a lower bound on its natural length, so it is learned only when it would
 * not lower the estimate in force; and the floor. {@code max_completion_tokens} /
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
      int minPoolSamples, int minTenantSamples, long maxTenants, int floorTokens) {

    public Settings(double quantile, int defaultOutputTokens, int poolWindow, int tenantWindow, int minPoolSamples,
        int minTenantSamples, long maxTenants) {
      this(quantile, defaultOutputTokens, poolWindow, tenantWindow, minPoolSamples, minTenantSamples, maxTenants, 0);
    }

    /** The budget's quantile, default and floor, with windows of 1024 (pool) and 128 (per source). */
    public static Settings from(BudgetSpec budget) {
      return new Settings(budget.outputQuantile(), budget.defaultOutputTokens(), 1024, 128, 20, 50, 10_000,
          budget.minOutputTokens());
    }

    /** The most values one source may hold in the pool's window. */
    int maxPerSource() {
      return Math.max(minPoolSamples, poolWindow / 8);
    }
  }

  private final Settings settings;
  private final SharedQuantile pool;
  private final Cache<String, SlidingQuantile> tenants;

  public OutputPredictor(Settings settings) {
    if (settings.minPoolSamples() > settings.poolWindow() || settings.minTenantSamples() > settings.tenantWindow()) {
      throw new IllegalArgumentException("a window must hold at least its minimum samples: " + settings);
    }
    this.settings = settings;
    this.pool = new SharedQuantile(settings.quantile(), settings.poolWindow(), settings.maxPerSource());
    this.tenants = Caffeine.newBuilder().maximumSize(settings.maxTenants()).build();
  }

  /** Output tokens for {@code request} from {@code tenant} (null when unknown). */
  public OutputEstimate predict(InferenceRequest request, String tenant) {
    if (!request.kind().generates()) {
      return new OutputEstimate(0, OutputEstimate.NONE);
    }
    OutputEstimate one = predict(boundOf(request), tenant);
    return new OutputEstimate(one.tokens() * choicesOf(request), one.source());
  }

  /**
   * The request's own bound on each choice's output ({@code max_completion_tokens} / {@code
   * max_tokens}, or a Responses request's {@code max_output_tokens}); 0: none.
   */
  public static long boundOf(InferenceRequest request) {
    ObjectNode body = request.body();
    long bound = Math.min(Math.min(positive(body.get("max_completion_tokens")), positive(body.get("max_tokens"))),
        positive(body.get("max_output_tokens")));
    return bound == Long.MAX_VALUE ? 0 : bound;
  }

  /** How many choices the request asks for ({@code n}, default 1). */
  public static int choicesOf(InferenceRequest request) {
    long n = positive(request.body().get("n"));
    return n == Long.MAX_VALUE ? 1 : (int) Math.min(n, Integer.MAX_VALUE);
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
          return new OutputEstimate(Math.max(settings.floorTokens(), s.value()), OutputEstimate.QUANTILE_TENANT);
        }
      }
    }
    SlidingQuantile.Snapshot s = pool.snapshot();
    if (s.samples() >= settings.minPoolSamples()) {
      return new OutputEstimate(Math.max(settings.floorTokens(), s.value()), OutputEstimate.QUANTILE_POOL);
    }
    return new OutputEstimate(settings.defaultOutputTokens(), OutputEstimate.DEFAULT);
  }

  /**
   * Feeds the real output length of a finished request (all its choices) from {@code source} (null:
   * a trusted source, not capped), which asked for at most {@code bound} tokens per choice (0: no
   * bound).
   */
  public void observe(String source, long actualOutputTokens, int choices, long bound) {
    if (actualOutputTokens < 0) {
      throw new IllegalArgumentException("output tokens must not be negative: " + actualOutputTokens);
    }
    int perChoice = (int) Math.min(Integer.MAX_VALUE, (actualOutputTokens + Math.max(1, choices) - 1) / Math.max(1, choices));
    // Stopped by its own bound: the natural length is at least this, so it may raise an estimate, never lower one.
    boolean censored = bound > 0 && perChoice >= bound;
    if (!censored || perChoice >= learned(null).tokens()) {
      pool.record(source, perChoice);
    }
    if (source != null) {
      SlidingQuantile own = tenants.get(source, t -> new SlidingQuantile(settings.quantile(), settings.tenantWindow()));
      if (!censored || perChoice >= learned(source).tokens()) {
        own.record(perChoice);
      }
    }
  }

  /** Feeds the real output length of a finished request (all its choices), with no bound of its own. */
  public void observe(String source, long actualOutputTokens, int choices) {
    observe(source, actualOutputTokens, choices, 0);
  }

  /** Feeds the real output length of a finished single-choice request. */
  public void observe(String source, long actualOutputTokens) {
    observe(source, actualOutputTokens, 1, 0);
  }

  /** Values {@code source} holds in the pool's window, for tests. */
  int poolSamplesOf(String source) {
    return pool.heldFor(source);
  }

  private static long positive(JsonNode node) {
    return node != null && node.canConvertToLong() && node.longValue() > 0 ? node.longValue() : Long.MAX_VALUE;
  }
}

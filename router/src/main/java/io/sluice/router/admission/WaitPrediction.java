package io.sluice.router.admission;

/**
 * How long a request that must queue will wait: a pure function of counters, so it costs nothing
 * in the queue's length and has its own table-driven test.
 */
final class WaitPrediction {
  private WaitPrediction() {}

  /**
   * @param aheadTokens tokens queued that will be served before it (its priority or higher)
   * @param ownTokens its own reservation, or the pool's mean one for size-neutral shedding
   * @param freeTokens budget free on the pods that accept requests now
   * @param tokensPerSecond the pool's drain rate (reserved tokens released per second); 0 or less: unknown
   * @return the predicted wait in nanoseconds; 0 when the rate is unknown (nothing is refused on a guess)
   */
  static long nanos(long aheadTokens, long ownTokens, long freeTokens, double tokensPerSecond) {
    if (!(tokensPerSecond > 0)) {
      return 0;
    }
    long need = aheadTokens + ownTokens - freeTokens;
    return need <= 0 ? 0 : (long) (need / tokensPerSecond * 1e9);
  }

  /**
   * The prefill part of a first token's time on a pod: the prompt tokens pending there plus the
   * request's own, at the pod's learned prefill rate; 0 when the rate is unknown.
   */
  static long prefillNanos(long pendingTokens, long promptTokens, double prefillTokensPerSecond) {
    if (!(prefillTokensPerSecond > 0)) {
      return 0;
    }
    return (long) ((pendingTokens + promptTokens) / prefillTokensPerSecond * 1e9);
  }

  /** Whole seconds covering {@code nanos}, between 1 and 60: a Retry-After. */
  static long retryAfterSeconds(long nanos) {
    return Math.max(1, Math.min(60, (nanos + 999_999_999L) / 1_000_000_000L));
  }
}

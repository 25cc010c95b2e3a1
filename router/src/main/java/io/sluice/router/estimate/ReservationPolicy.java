package io.sluice.router.estimate;

import io.sluice.crd.BudgetSpec;

/**
 * Turns a prompt and output estimate into the tokens to reserve on a pod:
 * {@code clamp(ceil((prompt + output) x safetyFactor), min, max)}, rounded up to whole KV blocks,
 * since engines allocate whole blocks (1001 tokens take 63 blocks of 16, so 1008).
 *
 * @param safetyFactor multiplies the estimate, at least 1
 * @param minTokens smallest reservation
 * @param maxTokens largest reservation (before block rounding)
 * @param blockSize the engine's KV block size, at least 1
 */
public record ReservationPolicy(double safetyFactor, long minTokens, long maxTokens, int blockSize) {

  public ReservationPolicy {
    if (!(safetyFactor >= 1) || Double.isInfinite(safetyFactor)) {
      throw new IllegalArgumentException("safetyFactor must be a finite number >= 1: " + safetyFactor);
    }
    if (minTokens < 0 || minTokens > maxTokens) {
      throw new IllegalArgumentException("need 0 <= minTokens <= maxTokens: " + minTokens + ", " + maxTokens);
    }
    if (blockSize < 1) {
      throw new IllegalArgumentException("blockSize must be at least 1: " + blockSize);
    }
  }

  public static ReservationPolicy from(BudgetSpec budget) {
    return new ReservationPolicy(budget.safetyFactor(), budget.minReservationTokens(),
        budget.maxReservationTokens(), budget.blockSize());
  }

  /** Tokens to reserve for a request of {@code promptTokens} expected to generate {@code outputTokens}. */
  public long reservation(long promptTokens, long outputTokens) {
    double scaled = Math.ceil((double) (promptTokens + outputTokens) * safetyFactor);
    long clamped = scaled >= maxTokens ? maxTokens : Math.max(minTokens, (long) scaled);
    return roundUpToBlocks(clamped);
  }

  /** {@code tokens} rounded up to a whole number of blocks. */
  public long roundUpToBlocks(long tokens) {
    return (tokens + blockSize - 1) / blockSize * blockSize;
  }

  /**
   * Whether the request's prompt alone, in whole blocks, exceeds the largest budget of any pod in
   * the pool: such a request can never be admitted and should be refused at once (400,
   * {@code context_length_exceeded}) instead of queued. A pool with no known budget
   * ({@code largestPodBudget <= 0}) refuses nothing.
   */
  public boolean neverFits(CostEstimate estimate, long largestPodBudget) {
    return largestPodBudget > 0 && roundUpToBlocks(estimate.promptTokens()) > largestPodBudget;
  }
}

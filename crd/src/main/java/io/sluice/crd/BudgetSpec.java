package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * How much each pod may hold and how a request's cost is turned into a reservation.
 *
 * @param tokensPerPod tokens of KV cache the router may reserve on each pod, or {@code auto}
 * @param utilization with {@code auto}: the share of the engine's KV cache to use
 * @param safetyFactor multiplies (prompt + output) estimates
 * @param minReservationTokens smallest reservation
 * @param maxReservationTokens largest reservation
 * @param defaultOutputTokens output estimate until real output lengths have been seen
 * @param outputQuantile quantile of recent real output lengths used as the output estimate
 * @param blockSize the engine's KV block size; reservations are rounded up to whole blocks
 * @param minOutputTokens smallest learned output estimate (a request's own max_tokens may ask for less)
 * @param limit how the budget is set: {@code adaptive} (moves with the engine's KV usage and
 *     preemptions) or {@code fixed}; unset: adaptive with {@code tokensPerPod: auto}, else fixed
 * @param coordination how router replicas share each pod's budget; {@code local} unless set (the
 *     cluster loader sets {@code partitioned} when a ModelPool leaves it out)
 */
public record BudgetSpec(
    @JsonPropertyDescription("Tokens each pod may hold: a number, or auto (from the engine's KV cache)")
        @SchemaFrom(type = IntOrString.class) TokenBudget tokensPerPod,
    @JsonPropertyDescription("With auto: share of the engine's KV cache to use (0-1]")
        @Min(value = 0, inclusive = false) @Max(1) Double utilization,
    @JsonPropertyDescription("Multiplies (prompt + output) estimates") @Min(1) Double safetyFactor,
    @JsonPropertyDescription("Smallest reservation, in tokens") @Min(0) Integer minReservationTokens,
    @JsonPropertyDescription("Largest reservation, in tokens") @Min(0) Integer maxReservationTokens,
    @JsonPropertyDescription("Output estimate before real output lengths are known") @Min(0) Integer defaultOutputTokens,
    @JsonPropertyDescription("Quantile of recent real output lengths used as the output estimate, e.g. 0.9 for p90")
        @Min(value = 0, inclusive = false) @Max(value = 1, inclusive = false) Double outputQuantile,
    @JsonPropertyDescription("The engine's KV block size, in tokens") @Min(1) Integer blockSize,
    @JsonPropertyDescription("Smallest learned output estimate, in tokens; a request's own max_tokens may ask for less")
        @Min(0) Integer minOutputTokens,
    @JsonPropertyDescription("adaptive (moves with the engine's KV usage and preemptions) or fixed; "
        + "default: adaptive with tokensPerPod auto, fixed with a number") BudgetLimit limit,
    @JsonPropertyDescription("How router replicas share each pod's budget: partitioned (budget / live replicas; "
        + "the default in a cluster), local (one replica owns it; the default of a static file) or redis "
        + "(one ledger in Redis shared by all replicas; partitioned while Redis is unreachable)")
        BudgetCoordination coordination) {

  public BudgetSpec {
    tokensPerPod = tokensPerPod == null ? TokenBudget.AUTO : tokensPerPod;
    utilization = utilization == null ? 0.9 : utilization;
    safetyFactor = safetyFactor == null ? 1.0 : safetyFactor;
    minReservationTokens = minReservationTokens == null ? 64 : minReservationTokens;
    maxReservationTokens = maxReservationTokens == null ? 131072 : maxReservationTokens;
    defaultOutputTokens = defaultOutputTokens == null ? 256 : defaultOutputTokens;
    outputQuantile = outputQuantile == null ? 0.9 : outputQuantile;
    blockSize = blockSize == null ? 16 : blockSize;
    minOutputTokens = minOutputTokens == null ? 16 : minOutputTokens;
    coordination = coordination == null ? BudgetCoordination.LOCAL : coordination;
  }

  public static BudgetSpec defaults() {
    return new BudgetSpec(null, null, null, null, null, null, null, null, null, null, null);
  }

  /** Whether the budget moves with the engine's signals: {@code limit}, or its default. */
  public boolean adaptive() {
    return limit == null ? tokensPerPod.auto() : limit == BudgetLimit.ADAPTIVE;
  }
}

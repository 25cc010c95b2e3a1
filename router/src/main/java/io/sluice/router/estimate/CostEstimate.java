package io.sluice.router.estimate;

/**
 * What a request is expected to cost, and what each figure came from.
 *
 * @param promptTokens prompt tokens
 * @param outputTokens expected output tokens
 * @param reservationTokens tokens to reserve on a pod (see {@link ReservationPolicy})
 * @param promptSource which counter produced {@code promptTokens} (see {@link PromptCount})
 * @param outputSource which rule produced {@code outputTokens} (see {@link OutputEstimate})
 */
public record CostEstimate(long promptTokens, long outputTokens, long reservationTokens, String promptSource,
    String outputSource) {}

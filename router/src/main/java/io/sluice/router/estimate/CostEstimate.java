package io.sluice.router.estimate;

/**
 * A request's estimated cost in tokens.
 *
 * @param promptTokens tokens of the prompt as the engine will see it
 * @param outputTokens tokens expected to be generated
 * @param reservationTokens what to reserve: clamped, safety-scaled, rounded to KV blocks
 * @param promptSource which counter produced the prompt figure
 * @param outputSource which predictor produced the output figure
 */
public record CostEstimate(long promptTokens, long outputTokens, long reservationTokens, String promptSource,
    String outputSource) {}

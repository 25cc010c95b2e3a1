package io.sluice.router.estimate;

/**
 * Told when an estimate had to fall back to the approximate count, so the metrics layer can count
 * it (e.g. {@code sluice_estimator_fallbacks_total{reason}}). Called on whichever thread noticed;
 * implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface EstimatorListener {
  /** The worker pool was saturated; the request was counted approximately at once. */
  String SATURATED = "saturated";
  /** The engine's tokenize API did not answer within the timeout. */
  String ENGINE_TIMEOUT = "engine-timeout";
  /** The engine's tokenize API failed. */
  String ENGINE_ERROR = "engine-error";
  /** The exact counter threw (e.g. a body the tokenizer could not handle). */
  String COUNTER_ERROR = "counter-error";
  /** The chat template ran past its bounds (output size, steps or time) on this request. */
  String TEMPLATE_LIMIT = "template-limit";

  EstimatorListener NONE = reason -> { };

  void fallback(String reason);
}

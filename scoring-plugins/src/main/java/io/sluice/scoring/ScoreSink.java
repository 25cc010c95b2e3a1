package io.sluice.scoring;

/**
 * Told after a pick how the chosen candidate scored, for diagnostics (the router's live page).
 * Called on the picking thread before {@link ScoringProfile#pick} returns; must not block.
 */
@FunctionalInterface
public interface ScoreSink {
  /**
   * @param scorerTypes the profile's scorers, in order (a copy)
   * @param scores each scorer's score of the chosen candidate, clamped into [0, 1]
   * @param total the weighted score the picker saw
   */
  void chosen(String endpointId, String[] scorerTypes, double[] scores, double total);
}

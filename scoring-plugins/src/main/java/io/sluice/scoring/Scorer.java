package io.sluice.scoring;

import java.util.List;

/**
 * Rates how well a candidate suits a request, from 0 (worst) to 1 (best). The engine clamps
 * scores into [0, 1] (NaN counts as 0) and applies the profile's weight; a scorer never knows its
 * weight. Must be thread-safe.
 */
@FunctionalInterface
public interface Scorer {
  /**
   * The score of one candidate. For scorers that normalise across candidates this is the score
   * the candidate would get if it were the only one.
   */
  double score(ScoringRequest request, Endpoint endpoint);

  /**
   * Scores every candidate into {@code out} ({@code out[i]} for {@code candidates.get(i)}). The
   * engine always calls this; override it to normalise across candidates or to do per-request
   * work (hashing a prompt) once instead of once per candidate.
   */
  default void scoreAll(ScoringRequest request, List<Endpoint> candidates, double[] out) {
    for (int i = 0, n = candidates.size(); i < n; i++) {
      out[i] = score(request, candidates.get(i));
    }
  }
}

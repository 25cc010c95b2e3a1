package io.sluice.scoring;

import java.util.List;

/** Chooses one candidate from the weighted scores. Must be thread-safe. */
@FunctionalInterface
public interface Picker {
  /**
   * The chosen candidate; never null when {@code candidates} is not empty.
   *
   * @param scores the weighted score of each candidate ({@code scores[i]} for {@code
   *     candidates.get(i)}), in [0, 1]; owned by the caller for this call only
   */
  Endpoint pick(ScoringRequest request, List<Endpoint> candidates, double[] scores);
}

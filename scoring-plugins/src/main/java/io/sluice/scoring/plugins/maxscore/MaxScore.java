package io.sluice.scoring.plugins.maxscore;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.Picker;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.plugins.Randoms;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Picks the candidate with the best weighted score; candidates within {@link #TIE} of the best
 * are equal and one of them is chosen uniformly at random (reservoir sampling, one pass, no
 * allocation), so idle pods share the load. Args: {@code seed} (optional).
 */
public final class MaxScore implements Picker {
  public static final String TYPE = "max-score";
  /** Scores closer than this are ties: sums of weighted doubles differ in their last bits. */
  static final double TIE = 1e-9;

  /** @param seed fixed seed for repeatable tie-breaks; null for a per-thread source */
  public record Args(Long seed) {}

  private final RandomGenerator random;

  public MaxScore(Args args) {
    this.random = Randoms.of(args.seed());
  }

  @Override
  public Endpoint pick(ScoringRequest request, List<Endpoint> candidates, double[] scores) {
    int best = -1;
    int ties = 0;
    for (int i = 0, n = candidates.size(); i < n; i++) {
      if (best < 0 || scores[i] > scores[best] + TIE) {
        best = i;
        ties = 1;
      } else if (scores[i] >= scores[best] - TIE && random.nextInt(++ties) == 0) {
        best = i;
      }
    }
    return best < 0 ? null : candidates.get(best);
  }
}

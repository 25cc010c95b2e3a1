package io.sluice.scoring.plugins.weightedtopk;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.PluginArgs;
import io.sluice.scoring.Picker;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.plugins.Randoms;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Keeps the {@code k} best candidates and picks one at random with probability proportional to
 * its score ({@code p_i = s_i / sum(s)}; uniform when all k score 0). Spreads load over nearly
 * equal pods instead of piling onto the single best. Args: {@code k} (default 3, at least 1),
 * {@code seed} (optional).
 */
public final class WeightedTopK implements Picker {
  public static final String TYPE = "weighted-top-k";

  /**
   * @param k how many of the best candidates to draw from
   * @param seed fixed seed for repeatable draws; null for a per-thread source
   */
  public record Args(Integer k, Long seed) {
    public Args {
      k = PluginArgs.atMost("k", PluginArgs.atLeast("k", k, 1, 3), 1024);
    }
  }

  private final int k;
  private final RandomGenerator random;

  public WeightedTopK(Args args) {
    this.k = args.k();
    this.random = Randoms.of(args.seed());
  }

  @Override
  public Endpoint pick(ScoringRequest request, List<Endpoint> candidates, double[] scores) {
    int n = candidates.size();
    if (n == 0) {
      return null;
    }
    int size = Math.min(k, n);
    int[] top = new int[size];
    int filled = 0;
    for (int i = 0; i < n; i++) {
      // Insertion into a short array kept sorted by descending score.
      int pos = filled < size ? filled++ : size;
      while (pos > 0 && scores[top[pos - 1]] < scores[i]) {
        if (pos < size) {
          top[pos] = top[pos - 1];
        }
        pos--;
      }
      if (pos < size) {
        top[pos] = i;
      }
    }
    double sum = 0;
    for (int j = 0; j < size; j++) {
      sum += scores[top[j]];
    }
    if (!(sum > 0)) {
      return candidates.get(top[random.nextInt(size)]);
    }
    double target = random.nextDouble() * sum;
    for (int j = 0; j < size - 1; j++) {
      target -= scores[top[j]];
      if (target < 0) {
        return candidates.get(top[j]);
      }
    }
    return candidates.get(top[size - 1]);
  }
}

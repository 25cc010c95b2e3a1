package io.sluice.scoring.plugins.random;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.Scorer;
import io.sluice.scoring.plugins.Randoms;
import java.util.random.RandomGenerator;

/**
 * A uniform random score in [0, 1) per candidate and request: alone it spreads load blindly (a
 * baseline); with a small weight it breaks ties. Args: {@code seed} (optional) makes it
 * repeatable.
 */
public final class RandomScorer implements Scorer {
  public static final String TYPE = "random";

  /** @param seed fixed seed for repeatable runs; null for a per-thread source */
  public record Args(Long seed) {}

  private final RandomGenerator random;

  public RandomScorer(Args args) {
    this.random = Randoms.of(args.seed());
  }

  @Override
  public double score(ScoringRequest request, Endpoint endpoint) {
    return random.nextDouble();
  }
}

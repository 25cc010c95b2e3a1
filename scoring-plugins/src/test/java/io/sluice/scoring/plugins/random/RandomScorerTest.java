package io.sluice.scoring.plugins.random;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.scoring.Pods;
import io.sluice.scoring.RequestSnapshot;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RandomScorerTest {
  private final RequestSnapshot request = RequestSnapshot.of("m", 10);

  @Test
  void aSeedMakesScoresRepeatable() {
    double[] first = Pods.scoreAll(new RandomScorer(new RandomScorer.Args(7L)), request, Pods.idle(50, 100));
    double[] second = Pods.scoreAll(new RandomScorer(new RandomScorer.Args(7L)), request, Pods.idle(50, 100));

    assertThat(first).containsExactly(second);
  }

  @Test
  void scoresAreSpreadOverTheUnitInterval() {
    double[] scores = Pods.scoreAll(new RandomScorer(new RandomScorer.Args(null)), request, Pods.idle(1000, 100));

    assertThat(Arrays.stream(scores).min().getAsDouble()).isGreaterThanOrEqualTo(0);
    assertThat(Arrays.stream(scores).max().getAsDouble()).isLessThan(1);
    assertThat(Arrays.stream(scores).filter(s -> s < 0.5).count()).isBetween(400L, 600L);
  }
}

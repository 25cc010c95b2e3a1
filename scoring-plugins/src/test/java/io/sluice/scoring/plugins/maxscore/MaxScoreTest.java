package io.sluice.scoring.plugins.maxscore;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.Pods;
import io.sluice.scoring.RequestSnapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MaxScoreTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(new double[] {0.2, 0.9, 0.5}, List.of("pod-1")),
        Arguments.of(new double[] {0.7, 0.2, 0.7, 0.7}, List.of("pod-0", "pod-2", "pod-3")),
        Arguments.of(new double[] {0.3, 0.3 + 1e-12, 0.1}, List.of("pod-0", "pod-1")),
        Arguments.of(new double[] {0, 0}, List.of("pod-0", "pod-1")),
        Arguments.of(new double[] {0.4}, List.of("pod-0")));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void picksTheBestAndSharesTiesEvenly(double[] scores, List<String> best) {
    MaxScore picker = new MaxScore(new MaxScore.Args(42L));
    List<Endpoint> pods = Pods.idle(scores.length, 100);
    Map<String, Integer> counts = new HashMap<>();
    int rounds = 3000;
    for (int i = 0; i < rounds; i++) {
      counts.merge(picker.pick(RequestSnapshot.of("m", 1), pods, scores).id(), 1, Integer::sum);
    }

    assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(best);
    assertThat(counts.values()).allMatch(c -> Math.abs(c - rounds / best.size()) < rounds / 10);
  }
}

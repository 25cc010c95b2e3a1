package io.sluice.scoring.plugins.weightedtopk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.Pods;
import io.sluice.scoring.RequestSnapshot;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WeightedTopKTest {
  private final RequestSnapshot request = RequestSnapshot.of("m", 1);

  private Map<String, Integer> draw(int k, double[] scores, int rounds) {
    WeightedTopK picker = new WeightedTopK(new WeightedTopK.Args(k, 11L));
    List<Endpoint> pods = Pods.idle(scores.length, 100);
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < rounds; i++) {
      counts.merge(picker.pick(request, pods, scores).id(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void drawsOnlyFromTheTopKInProportionToScore() {
    Map<String, Integer> counts = draw(3, new double[] {0.1, 0.6, 0.2, 0.3, 0.15}, 6000);

    assertThat(counts).containsOnlyKeys("pod-1", "pod-2", "pod-3");
    // p = s / (0.6 + 0.2 + 0.3): 3273, 1091 and 1636 of 6000 expected.
    assertThat(counts.get("pod-1")).isBetween(3000, 3550);
    assertThat(counts.get("pod-2")).isBetween(900, 1300);
    assertThat(counts.get("pod-3")).isBetween(1450, 1850);
  }

  @Test
  void kOfOneIsMaxScore() {
    assertThat(draw(1, new double[] {0.1, 0.2, 0.9, 0.3}, 100)).containsExactly(entry("pod-2", 100));
  }

  @Test
  void allZeroScoresDrawUniformlyAmongTheTopK() {
    Map<String, Integer> counts = draw(5, new double[] {0, 0}, 2000);

    assertThat(counts).containsOnlyKeys("pod-0", "pod-1");
    assertThat(counts.get("pod-0")).isBetween(850, 1150);
  }
}

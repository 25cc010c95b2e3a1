package io.sluice.scoring.plugins.prefixaffinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.Pods;
import io.sluice.scoring.RequestSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrefixAffinityTest {
  /** 1 token per block: a block is 4 characters. */
  private final PrefixAffinity plugin = new PrefixAffinity(new PrefixAffinity.Args(1, 8, 1000L));
  private final List<Endpoint> pods = Pods.idle(3, 1000);

  private static RequestSnapshot prompt(String text) {
    return RequestSnapshot.of("m", 10).withPrompt(text);
  }

  @ParameterizedTest(name = "served ''{0}'', asked ''{1}'' -> {2}")
  @CsvSource({
      "aaaabbbbcccc, aaaabbbbcccc, 1.0",
      "aaaabbbbcccc, aaaabbbbdddd, 0.6666666667",
      "aaaabbbbcccc, aaaabbbbccccdddd, 0.75",
      "aaaabbbbcccc, xaaabbbbcccc, 0.0",
      "aaaabbbbcccc, aaaabbb, 1.0",
      "aaaabbbbcccc, aaa, 0.0",
      "aaaabbbbccccddddeeeeffffgggghhhhiiii, aaaabbbbccccddddeeeeffffgggghhhhjjjj, 1.0",
  })
  void scoresMatchedLeadingBlocksOverTotal(String served, String asked, double expected) {
    plugin.picked(prompt(served), pods.get(1));

    double[] scores = Pods.scoreAll(plugin, prompt(asked), pods);

    assertThat(scores).containsExactly(new double[] {0, expected, 0}, within(1e-9));
    assertThat(plugin.score(prompt(asked), pods.get(1))).isCloseTo(expected, within(1e-9));
  }

  @Test
  void learnsEveryPodThatServedAPrefixAndHowFarEachGot() {
    plugin.picked(prompt("aaaabbbbcccc"), pods.get(0));
    plugin.picked(prompt("aaaabbbbdddd"), pods.get(2));

    double[] scores = Pods.scoreAll(plugin, prompt("aaaabbbbcccc"), pods);

    assertThat(scores).containsExactly(new double[] {1, 0, 2.0 / 3}, within(1e-9));
  }

  @Test
  void theModelIsPartOfThePrefix() {
    plugin.picked(prompt("aaaabbbb"), pods.get(0));

    RequestSnapshot otherModel = new RequestSnapshot("other", null, 10, 10, "aaaabbbb", "t", null, 0);

    assertThat(Pods.scoreAll(plugin, otherModel, pods)).containsOnly(0.0);
  }

  @Test
  void theBlockTableStaysWithinItsCapacity() {
    PrefixAffinity small = new PrefixAffinity(new PrefixAffinity.Args(1, 4, 16L));
    for (int i = 0; i < 500; i++) {
      small.picked(prompt(String.format("%04d%04d%04d%04d", i, i, i, i)), pods.get(i % 3));
    }

    assertThat(small.size()).isLessThanOrEqualTo(16);
  }

  @Test
  void aBlockRemembersOnlyItsMostRecentPods() {
    PodSet set = PodSet.of("p0");
    for (int i = 1; i < 10; i++) {
      set = set.with("p" + i);
    }
    set = set.with("p7");

    assertThat(set.size()).isEqualTo(PodSet.MAX_PODS);
    assertThat(set.toString()).isEqualTo("[p7, p9, p8, p6]");
  }
}

package io.sluice.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScoringProfileTest {
  private static final RequestSnapshot REQUEST = RequestSnapshot.of("m", 100);
  private final List<Endpoint> pods = Pods.idle(3, 1000);
  private final AtomicReference<double[]> seen = new AtomicReference<>();

  /** Scores pod-i with values[i]. */
  private static Scorer fixed(double... values) {
    return (r, e) -> values[Integer.parseInt(e.id().substring(4))];
  }

  private PluginRegistry registry(Scorer a, Scorer b) {
    Picker recording = (r, c, s) -> {
      seen.set(s.clone());
      return c.get(0);
    };
    return PluginRegistry.of(List.of(TestFactory.scorer("a", a), TestFactory.scorer("b", b),
        new TestFactory("recording", Set.of(Kind.PICKER), NoArgs.class, (k, x) -> recording)));
  }

  private double[] weighted(Scorer a, double wa, Scorer b, double wb) throws ProfileException {
    ScoringProfile profile = registry(a, b).build(new ProfileConfig(List.of(),
        List.of(PluginConfig.of("a", wa), PluginConfig.of("b", wb)), PluginConfig.of("recording")));
    profile.pick(REQUEST, pods);
    return seen.get();
  }

  static Stream<Arguments> weights() {
    return Stream.of(
        Arguments.of(1.0, 1.0, new double[] {0.5, 0.5, 0.5}),
        Arguments.of(3.0, 1.0, new double[] {0.75, 0.5, 0.25}),
        Arguments.of(1.0, 0.0, new double[] {1.0, 0.5, 0.0}),
        Arguments.of(0.0, 0.0, new double[] {0.0, 0.0, 0.0}));
  }

  @ParameterizedTest(name = "weights {0} and {1}")
  @MethodSource("weights")
  void weightedMeanOfTheScorers(double wa, double wb, double[] expected) throws ProfileException {
    double[] scores = weighted(fixed(1, 0.5, 0), wa, fixed(0, 0.5, 1), wb);

    assertThat(scores).containsExactly(expected, within(1e-9));
  }

  @Test
  void tellsASinkTheChosenCandidatesClampedScoreOfEachScorer() throws ProfileException {
    ScoringProfile profile = registry(fixed(2, 0.5, 0), fixed(0.25, 0.5, 1)).build(new ProfileConfig(List.of(),
        List.of(PluginConfig.of("a", 3), PluginConfig.of("b", 1)), PluginConfig.of("recording")));
    List<Object> told = new ArrayList<>();
    Endpoint chosen = profile.pick(REQUEST, pods, (id, types, scores, total) -> told.addAll(
        List.of(id, List.of(types), scores[0], scores[1], total)));

    assertThat(chosen.id()).isEqualTo("pod-0");
    assertThat(told).containsExactly("pod-0", List.of("a", "b"), 1.0, 0.25, (3 * 1.0 + 0.25) / 4);
  }

  @Test
  void clampsScoresIntoTheUnitInterval() throws ProfileException {
    double[] scores = weighted(fixed(5, -3, Double.NaN), 1, fixed(Double.POSITIVE_INFINITY, 0.5,
        Double.NEGATIVE_INFINITY), 1);

    assertThat(scores).containsExactly(new double[] {1, 0.25, 0}, within(1e-9));
  }

  @Test
  void theBestPodWinsWithTheDefaultProfile() throws ProfileException {
    ScoringProfile profile = PluginRegistry.load(getClass().getClassLoader()).build(null);
    List<Endpoint> candidates = List.of(EndpointSnapshot.of("busy", 1000, 800),
        EndpointSnapshot.of("free", 1000, 100), EndpointSnapshot.of("full", 1000, 950));

    assertThat(profile.pick(REQUEST, candidates).id()).isEqualTo("free");
    assertThat(profile.toString()).isEqualTo("filters=[token-budget] scorers=[token-budget x2.0,"
        + " prefix-affinity x1.0, queue-depth x1.0, kv-cache x1.0, prefill-balance x2.0] picker=max-score");
  }

  @Test
  void returnsNullWhenTheFiltersLeaveNothing() throws ProfileException {
    ScoringProfile profile = PluginRegistry.load(getClass().getClassLoader()).build(null);

    assertThat(profile.pick(RequestSnapshot.of("m", 5000), pods)).isNull();
    assertThat(profile.pick(REQUEST, List.of())).isNull();
  }

  @Test
  void filtersRunInOrderOnWhatThePreviousLeft() throws ProfileException {
    List<List<String>> calls = new ArrayList<>();
    Filter dropFirst = (r, c) -> {
      calls.add(c.stream().map(Endpoint::id).toList());
      return c.subList(1, c.size());
    };
    PluginRegistry registry = PluginRegistry.of(List.of(
        new TestFactory("drop-first", Set.of(Kind.FILTER), NoArgs.class, (k, a) -> dropFirst),
        new TestFactory("first", Set.of(Kind.PICKER), NoArgs.class, (k, a) -> (Picker) (r, c, s) -> c.get(0))));
    ScoringProfile profile = registry.build(new ProfileConfig(
        List.of(PluginConfig.of("drop-first"), PluginConfig.of("drop-first")), List.of(),
        PluginConfig.of("first")));

    assertThat(profile.pick(REQUEST, pods).id()).isEqualTo("pod-2");
    assertThat(calls).containsExactly(List.of("pod-0", "pod-1", "pod-2"), List.of("pod-1", "pod-2"));
  }

  @Test
  void observersLearnTheChoiceAndEveryCallIsTimed() throws ProfileException {
    List<String> picks = new ArrayList<>();
    List<String> timed = new ArrayList<>();
    class Learning implements Scorer, PickObserver {
      @Override
      public double score(ScoringRequest r, Endpoint e) {
        return e.id().equals("pod-1") ? 1 : 0;
      }

      @Override
      public void picked(ScoringRequest r, Endpoint chosen) {
        picks.add(chosen.id());
      }
    }
    PluginRegistry registry = PluginRegistry.of(List.of(
        new TestFactory("learning", Set.of(Kind.SCORER), NoArgs.class, (k, a) -> new Learning()),
        new io.sluice.scoring.plugins.maxscore.MaxScoreFactory(),
        new io.sluice.scoring.plugins.tokenbudget.TokenBudgetFactory()));
    ScoringProfile profile = registry.build(new ProfileConfig(null,
        List.of(new PluginConfig("learning", 1.0, Map.of())), null),
        (kind, type) -> nanos -> timed.add(kind + ":" + type));

    profile.pick(REQUEST, pods);

    assertThat(picks).containsExactly("pod-1");
    assertThat(timed).containsExactly("filter:token-budget", "scorer:learning", "picker:max-score",
        "observer:learning");
  }
}

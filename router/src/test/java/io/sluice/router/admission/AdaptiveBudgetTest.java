package io.sluice.router.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The adaptive limit, one engine sample at a time: each rule, the bounds, and a run of samples. */
class AdaptiveBudgetTest {
  private static final long CACHE = 10_000;
  private static final long START = 9_000; // 0.9 of the cache, the configured budget

  /** A limit that has seen one sample (preemptions 5) and so knows the counter's last value. */
  private static AdaptiveBudget primed() {
    AdaptiveBudget budget = AdaptiveBudget.standard();
    assertThat(budget.update(CACHE, START, 0.80, 5, false)).isEqualTo(START); // 0.80: between target and high
    return budget;
  }

  static Stream<Arguments> oneSample() {
    return Stream.of(
        // kv usage, preemptions, binding, limit after the sample, why
        Arguments.of(0.50, 5, true, START + 400, "cache has room and the limit holds requests back: up 4% of the cache"),
        Arguments.of(0.50, 5, false, START, "cache has room but nothing waits for the limit: unchanged"),
        Arguments.of(0.80, 5, true, START, "between target (0.75) and high (0.9): unchanged"),
        Arguments.of(0.95, 5, true, START - 270, "over high: down 3% of the limit"),
        Arguments.of(0.50, 6, true, (long) (START * 0.75), "the engine preempted: cut to 75% at once, whatever the usage"),
        Arguments.of(-1.0, 5, true, START, "usage unknown (no sample of it): unchanged"),
        Arguments.of(0.50, -1, true, START + 400, "preemption counter unknown: the usage rules still apply"));
  }

  @ParameterizedTest(name = "{4}")
  @MethodSource("oneSample")
  void oneSampleMovesTheLimitByItsRule(double usage, double preemptions, boolean binding, long expected, String why) {
    assertThat(primed().update(CACHE, START, usage, preemptions, binding)).as(why).isEqualTo(expected);
  }

  @Test
  void theFirstSampleSetsTheBaselineOfThePreemptionCounterWithoutCutting() {
    // An engine that preempted 40 times before Sluice first saw it is not a reason to cut.
    AdaptiveBudget budget = AdaptiveBudget.standard();
    assertThat(budget.limit()).isEqualTo(-1);
    assertThat(budget.update(CACHE, START, 0.80, 40, true)).isEqualTo(START);
  }

  @Test
  void anEngineBackWithAnotherCacheSizeScalesTheLimit() {
    AdaptiveBudget budget = primed();
    assertThat(budget.update(CACHE, START, 0.50, 5, true)).isEqualTo(START + 400);
    assertThat(budget.update(2 * CACHE, 2 * START, 0.80, 5, true)).isEqualTo(2 * (START + 400));
  }

  @Test
  void theLimitStaysBetweenHalfTheCacheAndFourTimesIt() {
    AdaptiveBudget rising = primed();
    for (int i = 0; i < 1000; i++) {
      rising.update(CACHE, START, 0.10, 5, true);
    }
    assertThat(rising.limit()).isEqualTo(4 * CACHE);
    AdaptiveBudget falling = primed();
    for (int i = 0; i < 1000; i++) {
      falling.update(CACHE, START, 0.10, 6 + i, true); // preempting at every sample
    }
    assertThat(falling.limit()).isEqualTo(CACHE / 2);
  }

  @Test
  void aRunOfSamplesClimbsWhileTheCacheHasRoomAndBacksOffWhenItFills() {
    // Reservations overstate what the engine holds (each holds its whole predicted output), so the
    // limit climbs past the configured 0.9 while the engine's cache stays under 75%, stops while it
    // is between 75% and 90%, and gives back when the cache passes 90%, then a preemption cuts it.
    AdaptiveBudget budget = primed();
    long[] limits = new long[6];
    double[] usage = {0.40, 0.60, 0.74, 0.80, 0.92, 0.70};
    double[] preemptions = {5, 5, 5, 5, 5, 7};
    for (int i = 0; i < usage.length; i++) {
      limits[i] = budget.update(CACHE, START, usage[i], preemptions[i], true);
    }
    assertThat(limits).containsExactly(9_400, 9_800, 10_200, 10_200, 9_894, 7_420);
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new AdaptiveBudget(0.95, 0.9, 0.5, 4)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AdaptiveBudget(0.7, 0.9, 0, 4)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AdaptiveBudget(0.7, 0.9, 2, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}

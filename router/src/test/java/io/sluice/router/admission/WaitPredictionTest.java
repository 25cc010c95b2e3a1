package io.sluice.router.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The predicted wait and its Retry-After, as a table. */
class WaitPredictionTest {
  static Stream<Arguments> waits() {
    return Stream.of(
        // ahead, own, free, tokens/s, predicted ns, why
        Arguments.of(0L, 600L, 0L, 1000.0, 600_000_000L, "nothing ahead, nothing free: its own tokens drain first"),
        Arguments.of(1500L, 700L, 0L, 1000.0, 2_200_000_000L, "work ahead plus its own"),
        Arguments.of(1500L, 700L, 400L, 1000.0, 1_800_000_000L, "what is free now counts against the need"),
        Arguments.of(100L, 200L, 500L, 1000.0, 0L, "enough free: no wait (the request fits but another won the race)"),
        Arguments.of(5000L, 100L, 0L, 0.0, 0L, "drain rate unknown: 0, so nothing is refused on a guess"),
        Arguments.of(5000L, 100L, 0L, Double.NaN, 0L, "a rate that is not a number counts as unknown"),
        Arguments.of(3000L, 1000L, 0L, 2000.0, 2_000_000_000L, "a faster pool halves the wait"));
  }

  @ParameterizedTest(name = "{5}")
  @MethodSource("waits")
  void predictedWait(long ahead, long own, long free, double rate, long expected, String why) {
    assertThat(WaitPrediction.nanos(ahead, own, free, rate)).as(why).isEqualTo(expected);
  }

  static Stream<Arguments> prefills() {
    return Stream.of(
        // pending on the pod, own prompt, prefill tokens/s, ns
        Arguments.of(0L, 2000L, 10_000.0, 200_000_000L),
        Arguments.of(8000L, 2000L, 10_000.0, 1_000_000_000L),
        Arguments.of(8000L, 2000L, 0.0, 0L));
  }

  @ParameterizedTest(name = "{0} pending + {1} own at {2} tokens/s -> {3} ns")
  @MethodSource("prefills")
  void prefillIsThePromptsPendingOnThePodPlusItsOwnAtThePodsRate(long pending, long own, double rate, long expected) {
    assertThat(WaitPrediction.prefillNanos(pending, own, rate)).isEqualTo(expected);
  }

  static Stream<Arguments> retries() {
    return Stream.of(
        Arguments.of(1L, 1L), Arguments.of(999_999_999L, 1L), Arguments.of(1_000_000_001L, 2L),
        Arguments.of(2_200_000_000L, 3L), Arguments.of(600_000_000_000L, 60L));
  }

  @ParameterizedTest(name = "{0} ns -> Retry-After {1}")
  @MethodSource("retries")
  void retryAfterCoversThePredictionInWholeSecondsUpToAMinute(long nanos, long seconds) {
    assertThat(WaitPrediction.retryAfterSeconds(nanos)).isEqualTo(seconds);
  }
}

package io.sluice.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodHealthTest {
  private static final long SECOND = 1_000_000_000L;

  /** A failure; ejects when it makes the pod due, as the pool does when nothing holds it back. */
  private static boolean fail(PodHealth health, long now) {
    boolean due = health.failed(now);
    if (due) {
      health.eject(now);
    }
    return due;
  }

  @Test
  void ejectsAfterTheThresholdAndDoublesEachTime() {
    PodHealth health = new PodHealth(3, 10 * SECOND, 25 * SECOND);
    assertThat(fail(health, 0)).isFalse();
    assertThat(fail(health, 0)).isFalse();
    assertThat(fail(health, 0)).isTrue();
    assertThat(health.ejected()).isTrue();
    assertThat(health.reinstateIfDue(9 * SECOND)).isFalse();
    assertThat(health.reinstateIfDue(10 * SECOND)).isTrue();

    // Back on probation: its first failure ejects it again, for twice as long.
    assertThat(fail(health, 11 * SECOND)).isTrue();
    assertThat(health.reinstateIfDue(30 * SECOND)).isFalse(); // 20 s this time
    assertThat(health.reinstateIfDue(31 * SECOND)).isTrue();

    assertThat(fail(health, 40 * SECOND)).isTrue();
    assertThat(health.reinstateIfDue(64 * SECOND)).isFalse(); // capped at 25 s
    assertThat(health.reinstateIfDue(65 * SECOND)).isTrue();
  }

  /**
   * issue 21.2's leftover: a pod back from an ejection, still failing, took a whole new run of
   * failures (clients saw some as 503 once the retry budget was spent). On probation a single
   * failure ejects it again; a success ends the probation and the usual run applies.
   */
  @Test
  void aPodBackFromAnEjectionIsOnProbationUntilItsFirstSuccess() {
    PodHealth health = new PodHealth(3, 10 * SECOND, 60 * SECOND);
    fail(health, 0);
    fail(health, 0);
    assertThat(fail(health, 0)).isTrue();
    assertThat(health.onProbation()).isFalse();
    assertThat(health.reinstateIfDue(10 * SECOND)).isTrue();
    assertThat(health.onProbation()).isTrue();

    assertThat(health.succeeded()).as("the success that ends the probation").isTrue();
    assertThat(health.onProbation()).isFalse();
    assertThat(health.succeeded()).isFalse();
    assertThat(fail(health, 11 * SECOND)).isFalse();
    assertThat(fail(health, 11 * SECOND)).isFalse();
    assertThat(fail(health, 11 * SECOND)).isTrue();
  }

  @Test
  void aSuccessEndsTheRunOfFailures() {
    PodHealth health = new PodHealth(3, SECOND, SECOND);
    fail(health, 0);
    fail(health, 0);
    health.succeeded();
    assertThat(fail(health, 0)).isFalse();
    assertThat(fail(health, 0)).isFalse();
    assertThat(fail(health, 0)).isTrue();
  }

  @Test
  void aPodFailingEveryOtherRequestIsDueOnceTheWindowHasEnoughAnswers() {
    // issue 21.2: a pod answering 503 half the time never makes a run of five
    PodHealth health = new PodHealth(5, 0.5, SECOND, SECOND);
    boolean due = false;
    int answers = 0;
    while (!due) {
      health.succeeded();
      due = health.failed(0);
      answers += 2;
    }
    assertThat(answers).isEqualTo(PodHealth.WINDOW / 2);
  }

  @Test
  void aPodMostlySucceedingIsNotDue() {
    PodHealth health = new PodHealth(5, 0.5, SECOND, SECOND);
    for (int i = 0; i < 100; i++) {
      health.succeeded();
      health.succeeded();
      assertThat(health.failed(0)).isFalse();
    }
  }

  @Test
  void aVetoedEjectionIsAskedForAgainAtTheNextFailure() {
    PodHealth health = new PodHealth(2, SECOND, SECOND);
    health.failed(0);
    assertThat(health.failed(0)).isTrue(); // the pool keeps it in: too many pods out
    assertThat(health.ejected()).isFalse();
    assertThat(health.failed(0)).isTrue();
  }
}

package io.sluice.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodHealthTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void ejectsAfterTheThresholdAndDoublesEachTime() {
    PodHealth health = new PodHealth(3, 10 * SECOND, 25 * SECOND);
    assertThat(health.failed(0)).isFalse();
    assertThat(health.failed(0)).isFalse();
    assertThat(health.failed(0)).isTrue();
    assertThat(health.ejected()).isTrue();
    assertThat(health.reinstateIfDue(9 * SECOND)).isFalse();
    assertThat(health.reinstateIfDue(10 * SECOND)).isTrue();

    health.failed(11 * SECOND);
    health.failed(11 * SECOND);
    assertThat(health.failed(11 * SECOND)).isTrue();
    assertThat(health.reinstateIfDue(30 * SECOND)).isFalse(); // 20 s this time
    assertThat(health.reinstateIfDue(31 * SECOND)).isTrue();

    health.failed(40 * SECOND);
    health.failed(40 * SECOND);
    health.failed(40 * SECOND);
    assertThat(health.reinstateIfDue(64 * SECOND)).isFalse(); // capped at 25 s
    assertThat(health.reinstateIfDue(65 * SECOND)).isTrue();
  }

  @Test
  void aSuccessEndsTheRunOfFailures() {
    PodHealth health = new PodHealth(3, SECOND, SECOND);
    health.failed(0);
    health.failed(0);
    health.succeeded();
    assertThat(health.failed(0)).isFalse();
    assertThat(health.failed(0)).isFalse();
    assertThat(health.failed(0)).isTrue();
  }
}

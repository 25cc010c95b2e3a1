package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.crd.BudgetSpec;
import org.junit.jupiter.api.Test;

class ReservationPolicyTest {

  @Test
  void roundsUpToWholeBlocks() {
    ReservationPolicy policy = new ReservationPolicy(1.0, 0, 1 << 20, 16);
    assertThat(policy.reservation(1000, 1)).isEqualTo(1008);
    assertThat(policy.reservation(1000, 8)).isEqualTo(1008);
    assertThat(policy.reservation(1000, 9)).isEqualTo(1024);
  }

  @Test
  void appliesTheSafetyFactorRoundingUp() {
    ReservationPolicy policy = new ReservationPolicy(1.2, 0, 1 << 20, 1);
    assertThat(policy.reservation(100, 1)).isEqualTo(122);
  }

  @Test
  void clampsToMinAndMax() {
    ReservationPolicy policy = new ReservationPolicy(1.0, 64, 4096, 16);
    assertThat(policy.reservation(1, 1)).isEqualTo(64);
    assertThat(policy.reservation(100_000, 1)).isEqualTo(4096);
    assertThat(policy.reservation(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2)).isEqualTo(4096);
  }

  @Test
  void defaultsComeFromTheBudget() {
    ReservationPolicy policy = ReservationPolicy.from(BudgetSpec.defaults());
    assertThat(policy).isEqualTo(new ReservationPolicy(1.0, 64, 131072, 16));
  }

  @Test
  void promptLargerThanEveryPodNeverFits() {
    ReservationPolicy policy = new ReservationPolicy(1.0, 64, 4096, 16);
    CostEstimate big = new CostEstimate(10_001, 10, 4096, "approximate", "default");
    assertThat(policy.neverFits(big, 10_000)).isTrue();
    assertThat(policy.neverFits(big, 10_016)).isFalse();
    assertThat(policy.neverFits(big, 0)).as("unknown budget").isFalse();
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> new ReservationPolicy(0.9, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReservationPolicy(1, 10, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReservationPolicy(1, 0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}

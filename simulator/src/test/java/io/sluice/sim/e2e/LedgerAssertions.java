package io.sluice.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.admission.AdmissionController;

/** The invariant every end-to-end run ends with: a pool's ledger back to exactly zero. */
public final class LedgerAssertions {
  private LedgerAssertions() {}

  /** Nothing reserved, in flight or queued, on the pool and on each of its pods. */
  public static void assertLedgerEmpty(AdmissionController admission) {
    assertThat(admission.reservedTokens()).as("reserved tokens").isZero();
    assertThat(admission.inFlight()).as("in flight").isZero();
    assertThat(admission.queuedRequests()).as("queued").isZero();
    assertThat(admission.queuedTokens()).as("queued tokens").isZero();
    assertThat(admission.pods()).allSatisfy(p -> {
      assertThat(p.reserved()).as("reserved on %s", p.podId()).isZero();
      assertThat(p.inFlight()).as("in flight on %s", p.podId()).isZero();
    });
  }
}

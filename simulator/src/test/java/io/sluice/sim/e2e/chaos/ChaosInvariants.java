package io.sluice.sim.e2e.chaos;

import static io.sluice.sim.e2e.chaos.ChaosRig.BUDGET;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.e2e.LedgerAssertions;
import io.sluice.sim.e2e.chaos.ChaosClient.Outcome;
import io.sluice.sim.e2e.chaos.ChaosClient.Result;
import java.util.List;

/**
 * What must hold after every chaos run, whatever the fault: nothing reserved, nothing in flight,
 * nothing queued (on every pod, the removed one included); every request got exactly one answer
 * within its bound; no engine held more KV than its budget, and none preempted.
 */
final class ChaosInvariants {
  /** Queue max wait 4 s, up to 3 attempts of 1 s connect + 3 s response, 2 s idle, plus the stream itself. */
  static final long BOUND_MS = 30_000;

  private ChaosInvariants() {
  }

  static void check(ChaosReport run) {
    for (ChaosReport.EngineFigures engine : run.engines()) {
      assertThat(engine.peakKvTokens()).as("peak KV of engine %d against its budget", engine.port())
          .isLessThanOrEqualTo(BUDGET);
    }
    List<Outcome> invalid = run.outcomes().values().stream().filter(o -> o.result() == Result.INVALID).toList();
    assertThat(invalid).as("answers that are neither complete nor an OpenAI error").isEmpty();
    assertThat(run.outcomes()).as("one outcome per request").hasSize(run.scenario().requests());
    assertThat(run.doubleAnswers()).as("requests answered twice").isZero();
    assertThat(run.slowestMillis()).as("slowest answer, ms").isLessThanOrEqualTo(BOUND_MS);
    // Every stream cut after its 200 is explained by a fault the engines injected: a drop
    // mid-stream, or a stall after the stream started (cut by the router's idleTimeout).
    assertThat(run.count(Result.CUT)).as("streams cut: only by engines that dropped or stalled")
        .isLessThanOrEqualTo(run.injected("engine drop mid-stream") + run.injected("engine stall"));
    LedgerAssertions.assertLedgerEmpty(run.admission());
    run.removed().ifPresent(leaver -> {
      assertThat(leaver.reserved()).as("reserved on the removed pod").isZero();
      assertThat(leaver.inFlight()).as("in flight on the removed pod").isZero();
    });
    assertThat(run.preemptions()).as("engine preemptions under enforced admission").isZero();
  }
}

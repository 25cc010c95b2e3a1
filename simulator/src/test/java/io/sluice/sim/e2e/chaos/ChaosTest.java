package io.sluice.sim.e2e.chaos;

import static io.sluice.sim.e2e.chaos.ChaosClient.Kind.LEAVE_IN_PREFILL;
import static io.sluice.sim.e2e.chaos.ChaosClient.Kind.LEAVE_MID_STREAM;
import static io.sluice.sim.e2e.chaos.ChaosClient.Kind.LEAVE_QUEUED;
import static io.sluice.sim.e2e.chaos.ChaosClient.Kind.PLAIN;
import static io.sluice.sim.e2e.chaos.ChaosClient.Kind.SLOW_READER;
import static io.sluice.sim.e2e.chaos.ChaosClient.Kind.STREAM;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.e2e.chaos.ChaosClient.Kind;
import io.sluice.sim.e2e.chaos.ChaosClient.Result;
import io.sluice.sim.server.Faults;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Chaos on loopback, one scenario per fault and one with all of them at once: engines that fail
 * at seeded random (500s, stalls, mid-stream resets, connections closed on accept) and an address
 * where nothing listens; clients that go away while queued, during prefill and mid-stream, and
 * clients that read slowly; pods added and removed by rewriting the config file, and an invalid
 * edit. Budgets are small, so the queue is in use. After every run {@link ChaosInvariants} hold:
 * nothing reserved, nothing in flight, nothing queued, every request got exactly one answer
 * within its bound, and no engine preempted; and each scenario shows that its fault happened.
 *
 * <p>{@code -Dchaos.requests=N} and {@code -Dchaos.seed=S} make a longer or different run (the
 * one-fault scenarios send a quarter as many); {@code -Dchaos.scenario=PART} runs only the
 * scenarios whose name contains PART.
 */
class ChaosTest {
  private static final int REQUESTS = Integer.getInteger("chaos.requests", 300);
  private static final long SEED = Long.getLong("chaos.seed", 42);
  /** {@code -Dchaos.scenario=reads} runs only the scenarios whose name contains it. */
  private static final String ONLY = System.getProperty("chaos.scenario", "");
  /** A run about one fault meets it often enough in fewer requests. */
  private static final int ONE_FAULT_REQUESTS = Math.max(40, REQUESTS / 4);
  private static final List<Kind> PLAIN_AND_STREAM = List.of(PLAIN, STREAM);

  @TempDir Path dir;

  static Stream<ChaosScenario> scenarios() {
    return Stream.of(
        engineFault("engine answers 500", Faults.random(0.15, 0, 0, 0),
            run -> assertThat(run.injected("engine 5xx")).isPositive()),
        engineFault("engine stalls", Faults.random(0, 0.08, 0, 0),
            run -> assertThat(run.injected("engine stall")).isPositive()),
        engineFault("engine drops the stream mid-way", Faults.random(0, 0, 0.2, 0),
            run -> assertThat(run.injected("engine drop mid-stream")).isPositive()),
        engineFault("engine closes connections on accept", Faults.random(0, 0, 0, 0.3),
            run -> assertThat(run.injected("connection refused")).isPositive()),
        new ChaosScenario("nothing listens at one address", ONE_FAULT_REQUESTS, healthy(3), 3, true, false,
            PLAIN_AND_STREAM, run -> assertThat(run.connectFailures()).isPositive()),
        clients("client leaves while queued", LEAVE_QUEUED,
            run -> assertThat(run.left("before any answer")).isPositive()),
        clients("client leaves during prefill", LEAVE_IN_PREFILL,
            run -> assertThat(run.left("during prefill")).isPositive()),
        clients("client leaves mid-stream", LEAVE_MID_STREAM,
            run -> assertThat(run.left("mid-stream")).isPositive()),
        clients("client reads slowly", SLOW_READER,
            run -> assertThat(run.slowReadersReadToTheEnd()).isPositive()),
        new ChaosScenario("pods come and go by config reloads", ONE_FAULT_REQUESTS, healthy(4), 3, true, true,
            PLAIN_AND_STREAM, ChaosTest::reloadsSeen),
        new ChaosScenario("all faults at once", REQUESTS,
            List.of(Faults.random(0.04, 0.03, 0.08, 0), Faults.random(0.04, 0.03, 0.08, 0),
                Faults.random(0.04, 0.03, 0.08, 0.3), Faults.NONE), // the fourth joins mid-run
            3, true, true, List.of(Kind.values()), run -> {
              // The chaos happened: every kind of fault was met at least once.
              assertThat(run.injected().get("engine 5xx")).isPositive();
              assertThat(run.injected().get("engine stall")).isPositive();
              assertThat(run.injected().get("engine drop mid-stream")).isPositive();
              assertThat(run.connectFailures()).isPositive();
              assertThat(run.results().get(Result.LEFT)).isPositive();
              reloadsSeen(run);
            }))
        .filter(scenario -> scenario.name().contains(ONLY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void everyRequestGetsOneAnswerAndNothingLeaks(ChaosScenario scenario) throws Exception {
    try (ChaosRig rig = ChaosRig.start(dir, scenario.engines(), scenario.inPoolAtStart(), scenario.deadAddress())) {
      ChaosReport run = ChaosRun.run(rig, scenario, SEED);
      System.out.print(run.table());
      ChaosInvariants.check(run);
      scenario.faultMet().accept(run);
    }
  }

  /** Three engines that all inject {@code faults}; plain and streamed requests. */
  private static ChaosScenario engineFault(String name, Faults faults, Consumer<ChaosReport> met) {
    return new ChaosScenario(name, ONE_FAULT_REQUESTS, Collections.nCopies(3, faults), 3, false, false,
        PLAIN_AND_STREAM, met);
  }

  /** Three healthy engines; streamed requests among clients that do {@code kind}. */
  private static ChaosScenario clients(String name, Kind kind, Consumer<ChaosReport> met) {
    return new ChaosScenario(name, ONE_FAULT_REQUESTS, healthy(3), 3, false, false, List.of(STREAM, kind), met);
  }

  private static List<Faults> healthy(int engines) {
    return Collections.nCopies(engines, Faults.NONE);
  }

  private static void reloadsSeen(ChaosReport run) {
    assertThat(run.configReloads("applied")).isEqualTo(3);
    assertThat(run.configReloads("rejected")).isEqualTo(1);
  }
}

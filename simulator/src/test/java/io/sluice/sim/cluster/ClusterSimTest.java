package io.sluice.sim.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.crd.BudgetSpec;
import io.sluice.crd.QueueSpec;
import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profile;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.replay.Slo;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

class ClusterSimTest {
  private static final Profile P = Profiles.LLAMA3_8B_A100;

  private static ClusterSim.Settings settings(int pods, int kvTokens) {
    return new ClusterSim.Settings(pods, EngineConfig.of(kvTokens, P), new Slo(2000, 100), 500_000_000L, false, 1);
  }

  /** {@code n} requests, one per microsecond (a burst), request i with prompt {@code prompt(i)}. */
  private static Workload oneEveryMicrosecond(String name, int n, IntUnaryOperator prompt, int output) {
    long[] at = new long[n];
    int[] prompts = new int[n];
    int[] outputs = new int[n];
    for (int i = 0; i < n; i++) {
      at[i] = i * 1_000L;
      prompts[i] = prompt.applyAsInt(i);
      outputs[i] = output;
    }
    return Workload.of(name, at, prompts, outputs);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  @Test
  void oneRequestOnOnePodTakesTheProfilesStepTimes() {
    Workload one = Workload.of("one", new long[] {0}, new int[] {100}, new int[] {3});

    RunResult r = new ClusterSim(settings(1, 20_000), one, Policy.ROUND_ROBIN, 1).run();

    long prefill = P.stepNanos(100, 100); // the prefill step ends with the first token
    long decode1 = P.stepNanos(1, 101);
    long decode2 = P.stepNanos(1, 102);
    assertThat(r.completed()).isEqualTo(1);
    assertThat(r.ttftP50()).isCloseTo(ms(prefill), within(ms(prefill) * 0.002));
    assertThat(r.itlP99()).isCloseTo(ms(Math.max(decode1, decode2)), within(0.05));
    assertThat(r.e2eP99()).isCloseTo(ms(prefill + decode1 + decode2), within(0.1));
    assertThat(r.queueWaitP99()).isEqualTo(0);
    assertThat(r.preemptions()).isZero();
  }

  @Test
  void aRequestArrivingDuringAStepWaitsForItsEnd() {
    // Both go to the single pod; the second arrives 5 ms into the first one's prefill step.
    Workload two = Workload.of("two", new long[] {0, 5_000_000}, new int[] {100, 100}, new int[] {1, 1});

    RunResult r = new ClusterSim(settings(1, 20_000), two, Policy.SLUICE, 1).run();

    long first = P.stepNanos(100, 100);
    long second = P.stepNanos(100, 100);
    assertThat(r.completed()).isEqualTo(2);
    assertThat(r.ttftP50()).isCloseTo(ms(first), within(0.05));
    assertThat(r.ttftP99()).isCloseTo(ms(first + second - 5_000_000), within(0.05));
    assertThat(r.queueWaitP99()).isCloseTo(ms(first - 5_000_000), within(0.05));
    assertThat(r.seconds()).isCloseTo((first + second) / 1e9, within(1e-3));
  }

  @Test
  void everyPolicyRunsEveryRequestToAnEnd() throws Exception {
    Workload work = Workload.synthetic(Workload.Mix.MIX, 400, 7);

    Comparison.Outcome outcome = Comparison.run(settings(3, 40_000), work, List.of(Policy.values()), List.of(0.8), 2, 200);

    assertThat(outcome.results()).extracting(RunResult::policy)
        .containsExactly(Arrays.stream(Policy.values()).map(Policy::id).toArray(String[]::new));
    for (RunResult r : outcome.results()) {
      assertThat(r.completed() + r.rejected()).as(r.policy()).isEqualTo(400);
      assertThat(r.completed()).as(r.policy()).isPositive();
      assertThat(r.ttftP99()).as(r.policy()).isGreaterThan(0);
      assertThat(r.goodputRps()).as(r.policy()).isLessThanOrEqualTo(r.throughputRps());
    }
  }

  @Test
  void sameSeedGivesByteIdenticalCsvWhateverTheThreads() throws Exception {
    Workload work = Workload.synthetic(Workload.Mix.AGENTS, 250, 3);
    List<Policy> all = List.of(Policy.values());

    String a = CompareReport.csv(Comparison.run(settings(4, 40_000), work, all, List.of(0.7, 1.1), 2, 200).results());
    String b = CompareReport.csv(Comparison.run(settings(4, 40_000), work, all, List.of(0.7, 1.1), 1, 200).results());

    assertThat(a).isEqualTo(b);
    assertThat(a.lines()).hasSize(1 + 2 * all.size());
  }

  @Test
  void admissionKeepsABurstThatMakesRoundRobinPreemptOutOfTheEngines() {
    // 64 requests at once onto 2 pods of 8,000 KV tokens: 500-token prompts that grow by 200.
    // The engines admit by prompt blocks (16 each) and must preempt as outputs grow; Sluice
    // reserves 500 + 256 (its default output estimate) against 0.9 x 8,000 and queues the rest.
    int n = 64;
    Workload burst = oneEveryMicrosecond("burst", n, i -> 500, 200);

    RunResult roundRobin = new ClusterSim(settings(2, 8_000), burst, Policy.ROUND_ROBIN, 1).run();
    RunResult sluice = new ClusterSim(settings(2, 8_000), burst, Policy.SLUICE, 1).run();

    assertThat(roundRobin.preemptions()).isPositive();
    assertThat(sluice.preemptions()).isZero();
    assertThat(sluice.completed()).isEqualTo(n);
    assertThat(sluice.overrunTokens()).isZero();
  }

  @Test
  void theQueueSettingsBoundTheQueueAndTheRefusedSizeSaysWhoWasRefused() {
    // One pod, budget 0.9 x 8,000 = 7,200 tokens. A 6,000-token prompt first (reserved with the
    // default output estimate: 6,256), then 20 prompts of 100 (356, 368 in 16-token blocks) at
    // once: two fit beside the large one, four wait in a queue of 4, the other 14 are refused at
    // arrival. All refused are small ones, so their size is far below the mean.
    Workload work = oneEveryMicrosecond("one-large", 21, i -> i == 0 ? 6_000 : 100, 10);
    ClusterSim.Settings base = settings(1, 8_000);
    ClusterSim.Settings shortQueue = new ClusterSim.Settings(1, base.engine(), base.slo(), base.scrapeIntervalNanos(),
        false, 1, BudgetSpec.defaults(), new QueueSpec(4, null, null, null, null, null));

    RunResult unbounded = new ClusterSim(base, work, Policy.SLUICE, 1).run();
    RunResult bounded = new ClusterSim(shortQueue, work, Policy.SLUICE, 1).run();

    assertThat(unbounded.rejected()).isZero();
    assertThat(unbounded.rejectedSize()).isNaN();
    assertThat(bounded.rejected()).isEqualTo(14);
    assertThat(bounded.completed()).isEqualTo(7);
    assertThat(bounded.rejectedSize()).isCloseTo(110 / work.meanWork(), within(1e-9));
  }

  @Test
  void rescalingKeepsTheShapeAndHitsTheRate() {
    Workload work = Workload.synthetic(Workload.Mix.BURSTS, 2000, 5);

    Workload fast = work.atRate(40);

    assertThat(fast.meanRate()).isCloseTo(40, within(0.01));
    double before = (double) work.offsets[1000] / work.offsets[1999];
    double after = (double) fast.offsets[1000] / fast.offsets[1999];
    assertThat(after).isCloseTo(before, within(1e-6));
  }
}

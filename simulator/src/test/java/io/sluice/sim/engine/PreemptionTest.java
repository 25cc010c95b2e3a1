package io.sluice.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PreemptionTest {

    /** Two sequences of 48 prompt + 40 output tokens need 6 blocks each. */
    private static EngineCore twoSequences(int kvTokens, TestSeqs.Recorder rec, VirtualRunner[] out) {
        EngineCore core = TestSeqs.core(EngineConfig.of(kvTokens, TestSeqs.flatProfile()), rec);
        VirtualRunner runner = new VirtualRunner(core);
        runner.submitAt(0, TestSeqs.seq("older", 48, 40));
        runner.submitAt(0, TestSeqs.seq("newer", 48, 40));
        runner.afterEachStep(EngineCore::checkInvariants);
        out[0] = runner;
        return core;
    }

    @Test
    void exhaustedCachePreemptsTheMostRecentlyAdmittedBackToTheHead() {
        TestSeqs.Recorder rec = new TestSeqs.Recorder();
        VirtualRunner[] runner = new VirtualRunner[1];
        EngineCore core = twoSequences(8 * 16, rec, runner);
        Sequence[] headAfterPreemption = new Sequence[1];
        runner[0].afterEachStep(c -> {
            if (!c.waiting().isEmpty() && headAfterPreemption[0] == null) {
                headAfterPreemption[0] = c.waiting().get(0);
            }
        });
        runner[0].runUntilIdle();

        assertThat(rec.preempted).isNotEmpty();
        assertThat(rec.preempted.get(0).id()).isEqualTo("newer");
        assertThat(headAfterPreemption[0].id()).isEqualTo("newer");
        assertThat(rec.freeAtPreemption).allMatch(free -> free == 0);
        assertThat(core.stats().preemptions()).isEqualTo(rec.preempted.size());
        assertThat(rec.finished).extracting(Sequence::id).containsExactly("older", "newer");
        assertThat(rec.finished).allMatch(s -> s.outputTokens() == 40);
        assertThat(core.freeBlocks()).isEqualTo(core.totalBlocks());
    }

    @Test
    void cacheThatHoldsEverySequenceNeverPreempts() {
        TestSeqs.Recorder rec = new TestSeqs.Recorder();
        VirtualRunner[] runner = new VirtualRunner[1];
        EngineCore core = twoSequences(12 * 16, rec, runner);
        runner[0].runUntilIdle();

        assertThat(rec.preempted).isEmpty();
        assertThat(core.stats().preemptions()).isZero();
        assertThat(rec.finished).hasSize(2);
    }

    @Test
    void preemptionHappensOnlyWhenNoBlockIsFreeUnderRandomLoad() {
        for (long seed = 1; seed <= 5; seed++) {
            TestSeqs.Recorder rec = new TestSeqs.Recorder();
            EngineCore core = TestSeqs.core(EngineConfig.of(1024, TestSeqs.flatProfile()).withMaxBatchedTokens(300), rec);
            VirtualRunner runner = new VirtualRunner(core);
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < 40; i++) {
                runner.submitAt(random.nextInt(30) * 1_000_000L, TestSeqs.seq(seed + "-" + i, 20 + random.nextInt(300), 1 + random.nextInt(300)));
            }
            runner.afterEachStep(EngineCore::checkInvariants);
            runner.runUntilIdle();

            assertThat(rec.preempted).as("seed %d preempts under this load", seed).isNotEmpty();
            assertThat(rec.freeAtPreemption).as("seed %d", seed).allMatch(free -> free == 0);
            assertThat(rec.finished).hasSize(40);
        }
    }

    @Test
    void noNewAdmissionsInAStepThatPreempted() {
        TestSeqs.Recorder rec = new TestSeqs.Recorder();
        EngineCore core = TestSeqs.core(EngineConfig.of(4 * 16, TestSeqs.flatProfile()), rec);
        Sequence a = TestSeqs.seq("a", 32, 10);
        Sequence b = TestSeqs.seq("b", 32, 10);
        core.submit(a);
        core.submit(b);
        core.finishStep(core.beginStep(0));
        StepPlan plan = core.beginStep(1_000_000);

        assertThat(rec.preempted).containsExactly(b);
        assertThat(core.waiting()).containsExactly(b);
        assertThat(plan.batchSize()).isEqualTo(1);
        core.finishStep(plan);
        core.checkInvariants();
    }
}

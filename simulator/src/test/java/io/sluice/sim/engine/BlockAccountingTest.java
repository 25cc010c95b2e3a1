package io.sluice.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockAccountingTest {

    @Test
    void blocksNeverExceedCapacityAndAllComeBackWhenSequencesFinish() {
        TestSeqs.Recorder rec = new TestSeqs.Recorder();
        EngineConfig config = EngineConfig.of(640, TestSeqs.flatProfile()).withMaxBatchedTokens(256);
        EngineCore core = TestSeqs.core(config, rec);
        VirtualRunner runner = new VirtualRunner(core);
        SplittableRandom random = new SplittableRandom(7);
        List<Sequence> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            Sequence s = TestSeqs.seq("s" + i, 1 + random.nextInt(200), 1 + random.nextInt(150));
            all.add(s);
            runner.submitAt(random.nextInt(50) * 1_000_000L, s);
        }
        List<Integer> usedPerStep = new ArrayList<>();
        runner.afterEachStep(c -> {
            c.checkInvariants();
            usedPerStep.add(c.totalBlocks() - c.freeBlocks());
        });
        runner.runUntilIdle();

        assertThat(usedPerStep).isNotEmpty().allMatch(u -> u <= config.numBlocks());
        assertThat(all).allMatch(s -> s.state() == SequenceState.FINISHED && s.heldBlocks() == 0);
        assertThat(all).allMatch(s -> s.outputTokens() == s.outputLimit());
        assertThat(core.freeBlocks()).isEqualTo(core.totalBlocks());
        assertThat(core.stats().preemptions()).isPositive();
    }

    @Test
    void abortFreesBlocksAtOnceWhetherRunningOrWaiting() {
        TestSeqs.Recorder rec = new TestSeqs.Recorder();
        EngineCore core = TestSeqs.core(EngineConfig.of(160, TestSeqs.flatProfile()), rec);
        Sequence running = TestSeqs.seq("running", 100, 50);
        Sequence waiting = TestSeqs.seq("waiting", 100, 50);
        core.submit(running);
        core.submit(waiting);
        StepPlan plan = core.beginStep(0);
        assertThat(running.state()).isEqualTo(SequenceState.RUNNING);
        assertThat(waiting.state()).isEqualTo(SequenceState.WAITING);
        assertThat(core.freeBlocks()).isEqualTo(core.totalBlocks() - 7);

        assertThat(core.abort("running", 500_000)).isTrue();
        assertThat(core.freeBlocks()).isEqualTo(core.totalBlocks());
        assertThat(core.abort("waiting", 500_000)).isTrue();
        assertThat(core.abort("waiting", 500_000)).isFalse();
        core.finishStep(plan);

        assertThat(rec.events).isEmpty();
        assertThat(core.hasWork()).isFalse();
        assertThat(core.stats().aborted()).isEqualTo(2);
        core.checkInvariants();
    }

    @Test
    void chunkedPrefillSplitsALongPromptOverSteps() {
        TestSeqs.Recorder rec = new TestSeqs.Recorder();
        EngineCore core = TestSeqs.core(EngineConfig.of(4096, TestSeqs.flatProfile()).withMaxBatchedTokens(512), rec);
        Sequence seq = TestSeqs.seq("long", 1300, 2);
        VirtualRunner runner = new VirtualRunner(core);
        runner.submitAt(0, seq);
        runner.runUntilIdle();

        assertThat(core.stats().steps()).isEqualTo(3 + 1);
        assertThat(seq.firstTokenNanos()).isEqualTo(3_000_000L);
        assertThat(seq.finishReason()).isEqualTo(FinishReason.STOP);
    }
}

package io.sluice.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimingTest {
    private static final Profile P = Profiles.LLAMA3_8B_A100;

    @Test
    void singleRequestFollowsTheProfileStepByStep() {
        List<Long> tokenTimes = new ArrayList<>();
        EngineCore core = new EngineCore(EngineConfig.of(20_000, P), new EngineListener() {
            @Override
            public void onToken(Sequence seq, int index, long nowNanos) {
                tokenTimes.add(nowNanos);
            }
        });
        VirtualRunner runner = new VirtualRunner(core);
        runner.submitAt(0, TestSeqs.seq("one", 1024, 4));
        runner.runUntilIdle();

        assertThat(tokenTimes).hasSize(4);
        assertThat(tokenTimes.get(0)).isEqualTo(P.stepNanos(1024, 1024));
        for (int i = 1; i < 4; i++) {
            long context = 1024 + i;
            assertThat(tokenTimes.get(i) - tokenTimes.get(i - 1)).isEqualTo(P.stepNanos(1, context));
        }
    }

    @Test
    void profileIsMemoryBoundAtSmallBatchAndGrowsWithBatchAndContext() {
        long one = P.stepNanos(1, 1000);
        long eight = P.stepNanos(8, 8 * 1000);
        long longContext = P.stepNanos(8, 8 * 8000);
        long big = P.stepNanos(256, 256 * 1000);

        assertThat(1e9 / one).as("batch-1 decode rate, tokens/s").isBetween(70.0, 80.0);
        assertThat(eight).isGreaterThan(one);
        assertThat(longContext).isGreaterThan(eight);
        assertThat(big).isGreaterThan(longContext);
        assertThat(P.stepNanos(1024, 1024) / 1e6).as("1024-token prefill, ms").isBetween(95.0, 110.0);
    }

    @Test
    void loadingALoraAdapterAddsItsDelayToTheStep() {
        Profile p = TestSeqs.flatProfile();
        EngineCore core = new EngineCore(EngineConfig.of(4096, p).withMaxLoras(1), new EngineListener() { });
        core.submit(new Sequence("a", TestSeqs.prompt(1, 10), 3, FinishReason.STOP, "sql", 0));
        StepPlan first = core.beginStep(0);
        core.finishStep(first);
        StepPlan second = core.beginStep(first.endNanos());

        assertThat(first.durationNanos()).isEqualTo(p.stepNanos(10, 10) + p.loraLoadNanos());
        assertThat(second.durationNanos()).isEqualTo(p.stepNanos(1, 11));
    }

    @Test
    void maxLorasKeepsASecondAdapterWaitingWhileTheFirstRuns() {
        EngineCore core = new EngineCore(EngineConfig.of(4096, TestSeqs.flatProfile()).withMaxLoras(1), new EngineListener() { });
        Sequence sql = new Sequence("sql", TestSeqs.prompt(1, 10), 3, FinishReason.STOP, "sql", 0);
        Sequence chat = new Sequence("chat", TestSeqs.prompt(2, 10), 3, FinishReason.STOP, "chat", 0);
        Sequence base = new Sequence("base", TestSeqs.prompt(3, 10), 3, FinishReason.STOP, null, 0);
        core.submit(sql);
        core.submit(chat);
        core.submit(base);
        core.finishStep(core.beginStep(0));

        assertThat(core.runningLoras()).containsExactly("sql");
        assertThat(core.waitingLoras()).containsExactly("chat");
        assertThat(base.state()).isEqualTo(SequenceState.RUNNING);
        assertThat(core.waiting()).containsExactly(chat);
        VirtualRunner runner = new VirtualRunner(core);
        runner.runUntilIdle();
        assertThat(chat.state()).isEqualTo(SequenceState.FINISHED);
    }

    @Test
    void outputLengthIsTheNaturalLengthCutAtMaxTokens() {
        assertThat(OutputLengths.limit(100, 20)).isEqualTo(new OutputLengths.Limit(20, FinishReason.LENGTH));
        assertThat(OutputLengths.limit(100, 500)).isEqualTo(new OutputLengths.Limit(100, FinishReason.STOP));
        assertThat(OutputLengths.limit(100, null)).isEqualTo(new OutputLengths.Limit(100, FinishReason.STOP));
        OutputLengths a = OutputLengths.parse("lognormal:200:0.8", 4096, 42);
        OutputLengths b = OutputLengths.parse("lognormal:200:0.8", 4096, 42);
        for (int i = 0; i < 100; i++) {
            int x = a.next();
            assertThat(x).isEqualTo(b.next()).isBetween(1, 4096);
        }
    }
}

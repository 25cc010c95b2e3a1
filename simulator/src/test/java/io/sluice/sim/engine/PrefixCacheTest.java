package io.sluice.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrefixCacheTest {
    private static final Profile P = Profiles.LLAMA3_8B_A100;

    private static Sequence withPrompt(String id, int[] prompt, int out) {
        return new Sequence(id, prompt, out, FinishReason.STOP, null, 0);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = new int[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void repeatedPromptReusesCachedBlocksWithoutPrefillTime() {
        EngineCore core = new EngineCore(EngineConfig.of(4096, P), new EngineListener() { });
        VirtualRunner runner = new VirtualRunner(core);
        int[] prompt = TestSeqs.prompt(1, 1024);
        Sequence first = withPrompt("first", prompt, 2);
        runner.submitAt(0, first);
        runner.runUntilIdle();
        long start = runner.nowNanos();
        Sequence second = withPrompt("second", prompt, 2);
        runner.submitAt(start, second);
        runner.runUntilIdle();

        long firstTtft = first.firstTokenNanos();
        long secondTtft = second.firstTokenNanos() - start;
        assertThat(firstTtft).isEqualTo(P.stepNanos(1024, 1024));
        assertThat(secondTtft).isEqualTo(P.stepNanos(1, 1024));
        assertThat(core.stats().prefixQueryTokens()).isEqualTo(2048);
        assertThat(core.stats().prefixHitTokens()).isEqualTo(1024);
        core.checkInvariants();
    }

    @Test
    void sharedPrefixBlocksAreHeldByBothSequencesAtOnce() {
        EngineCore core = new EngineCore(EngineConfig.of(4096, P), new EngineListener() { });
        int[] system = TestSeqs.prompt(2, 64);
        Sequence a = withPrompt("a", concat(system, TestSeqs.prompt(3, 20)), 50);
        Sequence b = withPrompt("b", concat(system, TestSeqs.prompt(4, 20)), 50);
        core.submit(a);
        core.finishStep(core.beginStep(0));
        int freeAfterA = core.freeBlocks();
        core.submit(b);
        core.finishStep(core.beginStep(1));

        assertThat(core.stats().prefixHitTokens()).isEqualTo(64);
        assertThat(freeAfterA - core.freeBlocks()).as("b adds only its own 2 blocks").isEqualTo(2);
        core.checkInvariants();
        core.abort("a", 2);
        core.checkInvariants();
        assertThat(b.heldBlocks()).isEqualTo(6);
    }

    @Test
    void freedBlocksStayCachedUntilEvictedLeastRecentlyFreedFirst() {
        // 8 blocks. Two 3-block prompts finish (a first, then b), then a 5-block prompt needs
        // 5 free blocks: the 2 never-used blocks and then a's 3 (freed earliest) go; b's stay.
        EngineCore core = new EngineCore(EngineConfig.of(8 * 16, P), new EngineListener() { });
        VirtualRunner runner = new VirtualRunner(core);
        int[] pa = TestSeqs.prompt(5, 47);
        int[] pb = TestSeqs.prompt(6, 47);
        runner.submitAt(0, withPrompt("a", pa, 1));
        runner.runUntilIdle();
        runner.submitAt(runner.nowNanos(), withPrompt("b", pb, 1));
        runner.runUntilIdle();
        runner.submitAt(runner.nowNanos(), withPrompt("big", TestSeqs.prompt(7, 79), 1));
        runner.runUntilIdle();
        long hitsBefore = core.stats().prefixHitTokens();

        runner.submitAt(runner.nowNanos(), withPrompt("b-again", pb, 1));
        runner.runUntilIdle();
        long bHits = core.stats().prefixHitTokens() - hitsBefore;
        runner.submitAt(runner.nowNanos(), withPrompt("a-again", pa, 1));
        runner.runUntilIdle();
        long aHits = core.stats().prefixHitTokens() - hitsBefore - bHits;

        assertThat(bHits).isEqualTo(32);
        assertThat(aHits).isZero();
        core.checkInvariants();
    }

    @Test
    void loraAdapterIsPartOfTheBlockHash() {
        EngineCore core = new EngineCore(EngineConfig.of(4096, P).withMaxLoras(2), new EngineListener() { });
        VirtualRunner runner = new VirtualRunner(core);
        int[] prompt = TestSeqs.prompt(8, 64);
        runner.submitAt(0, new Sequence("base", prompt, 1, FinishReason.STOP, null, 0));
        runner.runUntilIdle();
        runner.submitAt(runner.nowNanos(), new Sequence("lora", prompt, 1, FinishReason.STOP, "sql", 0));
        runner.runUntilIdle();

        assertThat(core.stats().prefixHitTokens()).isZero();
    }

    @Test
    void disabledPrefixCachingNeverHits() {
        EngineCore core = new EngineCore(EngineConfig.of(4096, P).withPrefixCaching(false), new EngineListener() { });
        VirtualRunner runner = new VirtualRunner(core);
        int[] prompt = TestSeqs.prompt(9, 64);
        runner.submitAt(0, withPrompt("x", prompt, 1));
        runner.submitAt(10_000_000_000L, withPrompt("y", prompt, 1));
        runner.runUntilIdle();

        assertThat(core.stats().prefixHitTokens()).isZero();
        assertThat(core.stats().prefixQueryTokens()).isEqualTo(128);
    }
}

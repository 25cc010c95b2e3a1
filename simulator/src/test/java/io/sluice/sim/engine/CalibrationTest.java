package io.sluice.sim.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The llama3-8b-a100 profile against published vLLM figures for Llama-3.1-8B BF16 on one
 * A100 40GB, 1024 input / 128 output tokens, closed loop (docs/emulator.md cites them):
 * ~75 tokens/s at concurrency 1, 6.6x that throughput at concurrency 8, and a TTFT of
 * 150–250 ms for a default deployment under load. Each must hold within 25%.
 */
class CalibrationTest {
    private static final EngineConfig A100 = EngineConfig.of(150_000, Profiles.LLAMA3_8B_A100);

    @Test
    void singleStreamDecodeRateIsWithin25PercentOf75TokensPerSecond() {
        ClosedLoopBenchmark.Result c1 = ClosedLoopBenchmark.run(A100, 1, 1024, 128, 5);

        assertThat(1000.0 / c1.meanTpotMs()).isBetween(75 * 0.75, 75 * 1.25);
        assertThat(c1.outputTokensPerSec()).isBetween(75 * 0.75, 75 * 1.25);
    }

    @Test
    void throughputAtConcurrency8IsWithin25PercentOf6point6TimesSingleStream() {
        ClosedLoopBenchmark.Result c8 = ClosedLoopBenchmark.run(A100, 8, 1024, 128, 20);

        assertThat(c8.outputTokensPerSec()).isBetween(6.6 * 75 * 0.75, 6.6 * 75 * 1.25);
        assertThat(c8.preemptions()).isZero();
    }

    @Test
    void ttftAtConcurrency8IsInsideThePublishedRange() {
        ClosedLoopBenchmark.Result c8 = ClosedLoopBenchmark.run(A100, 8, 1024, 128, 20);

        assertThat(c8.meanTtftMs()).isBetween(150.0, 250.0);
    }
}

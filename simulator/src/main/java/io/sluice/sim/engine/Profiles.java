package io.sluice.sim.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The named profiles. Parameters and their public sources are in docs/emulator.md; each one
 * is derived from the hardware data sheet and a published vLLM measurement.
 */
public final class Profiles {
    /**
     * Llama-3-8B BF16 on one A100 SXM 40GB. Weights 16.06 GB at 77% of 1,555 GB/s (the achieved
     * fraction measured at batch 1) = 13.4 ms; KV 128 KiB per token at the same bandwidth =
     * 109 ns; compute 16 GFLOP per token at ~52% of 312 TFLOPS = 10,000 tokens/s.
     */
    public static final Profile LLAMA3_8B_A100 = new Profile("llama3-8b-a100",
            "Llama-3-8B BF16, 1x A100-SXM 40GB, TP=1", 0.5, 12.9, 109, 10_000, 2048, 25);

    /**
     * Llama-3-70B BF16 on four H100 SXM (TP=4). Weights 141 GB / 4 GPUs at 75% of 3,350 GB/s =
     * 14.0 ms, plus all-reduce cost in the overhead; KV 320 KiB per token split over 4 GPUs =
     * 33 ns; compute 141 GFLOP per token at ~50% of 4 x 989 TFLOPS = 14,000 tokens/s.
     */
    public static final Profile LLAMA3_70B_H100X4 = new Profile("llama3-70b-h100x4",
            "Llama-3-70B BF16, 4x H100-SXM 80GB, TP=4", 3.0, 14.0, 33, 14_000, 8192, 60);

    private static final Map<String, Profile> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put(LLAMA3_8B_A100.name(), LLAMA3_8B_A100);
        BY_NAME.put(LLAMA3_70B_H100X4.name(), LLAMA3_70B_H100X4);
    }

    private Profiles() {
    }

    public static Optional<Profile> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static Iterable<String> names() {
        return BY_NAME.keySet();
    }
}

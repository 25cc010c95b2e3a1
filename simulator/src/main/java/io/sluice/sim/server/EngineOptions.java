package io.sluice.sim.server;

import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profile;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one emulated engine server is configured with.
 *
 * @param timeScale      model seconds per wall-clock second (10 runs the model 10x faster)
 * @param outputLengths  natural output length distribution, e.g. {@code lognormal:200:0.8}
 * @param flavor         metric names to export: vllm or sglang
 * @param tokenizer      tokenizer.json, or null for code points / 4
 */
public record EngineOptions(String host, int port, String model, List<String> loras, EngineConfig engine,
                            double timeScale, Path tokenizer, long seed, String outputLengths,
                            Flavor flavor, Faults faults) {

    /** Which engine's metric names and endpoints to mimic. */
    public enum Flavor { VLLM, SGLANG }

    public EngineOptions {
        if (!(timeScale > 0)) {
            throw new IllegalArgumentException("time scale must be positive: " + timeScale);
        }
        loras = List.copyOf(loras);
    }

    /** Options for tests: loopback, ephemeral port, no faults. */
    public static EngineOptions local(String model, int kvTokens, Profile profile, double timeScale) {
        return new EngineOptions("127.0.0.1", 0, model, List.of(), EngineConfig.of(kvTokens, profile),
                timeScale, null, 42, "lognormal:200:0.8", Flavor.VLLM, Faults.NONE);
    }


    public EngineOptions withFaults(Faults f) {
        return new EngineOptions(host, port, model, loras, engine, timeScale, tokenizer, seed, outputLengths, flavor, f);
    }

    public EngineOptions withFlavor(Flavor f) {
        return new EngineOptions(host, port, model, loras, engine, timeScale, tokenizer, seed, outputLengths, f, faults);
    }

    public EngineOptions withTokenizer(Path t) {
        return new EngineOptions(host, port, model, loras, engine, timeScale, t, seed, outputLengths, flavor, faults);
    }

    public EngineOptions withLoras(List<String> l) {
        return new EngineOptions(host, port, model, l, engine, timeScale, tokenizer, seed, outputLengths, flavor, faults);
    }

}

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
 * @param lineEnd        what ends each line of a stream (vLLM and SGLang send LF)
 */
public record EngineOptions(String host, int port, String model, List<String> loras, EngineConfig engine,
                            double timeScale, Path tokenizer, long seed, String outputLengths,
                            Flavor flavor, Faults faults, LineEnd lineEnd) {

    /** Which engine's metric names and endpoints to mimic. */
    public enum Flavor { VLLM, SGLANG }

    /** The three line ends the SSE spec allows; CRLF is what some servers and proxies send. */
    public enum LineEnd {
        LF("\n"), CRLF("\r\n"), CR("\r");

        private final String chars;

        LineEnd(String chars) {
            this.chars = chars;
        }

        public String chars() {
            return chars;
        }
    }

    /** Streams framed with LF, as vLLM and SGLang frame them. */
    public EngineOptions(String host, int port, String model, List<String> loras, EngineConfig engine,
                         double timeScale, Path tokenizer, long seed, String outputLengths, Flavor flavor, Faults faults) {
        this(host, port, model, loras, engine, timeScale, tokenizer, seed, outputLengths, flavor, faults, LineEnd.LF);
    }

    public EngineOptions {
        if (!(timeScale > 0)) {
            throw new IllegalArgumentException("time scale must be positive: " + timeScale);
        }
        loras = List.copyOf(loras);
        lineEnd = lineEnd == null ? LineEnd.LF : lineEnd;
    }

    /** Options for tests: loopback, ephemeral port, no faults. */
    public static EngineOptions local(String model, int kvTokens, Profile profile, double timeScale) {
        return new EngineOptions("127.0.0.1", 0, model, List.of(), EngineConfig.of(kvTokens, profile),
                timeScale, null, 42, "lognormal:200:0.8", Flavor.VLLM, Faults.NONE);
    }


    public EngineOptions withFaults(Faults f) {
        return new EngineOptions(host, port, model, loras, engine, timeScale, tokenizer, seed, outputLengths, flavor, f, lineEnd);
    }

    public EngineOptions withFlavor(Flavor f) {
        return new EngineOptions(host, port, model, loras, engine, timeScale, tokenizer, seed, outputLengths, f, faults, lineEnd);
    }

    public EngineOptions withTokenizer(Path t) {
        return new EngineOptions(host, port, model, loras, engine, timeScale, t, seed, outputLengths, flavor, faults, lineEnd);
    }

    public EngineOptions withLoras(List<String> l) {
        return new EngineOptions(host, port, model, l, engine, timeScale, tokenizer, seed, outputLengths, flavor, faults, lineEnd);
    }

    public EngineOptions withLineEnd(LineEnd e) {
        return new EngineOptions(host, port, model, loras, engine, timeScale, tokenizer, seed, outputLengths, flavor, faults, e);
    }

}

package io.sluice.sim.cli;

import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profile;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.sluice.sim.server.Faults;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code engine}: serve one emulated vLLM (or SGLang) engine until killed. */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Run an OpenAI-compatible engine emulator with a vLLM-like KV-cache model.")
final class EngineCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;
    @Option(names = "--port", defaultValue = "8001", description = "Port (default: ${DEFAULT-VALUE}; 0 = any).")
    int port;
    @Option(names = "--model", defaultValue = "qwen3-8b", description = "Served model name (default: ${DEFAULT-VALUE}).")
    String model;
    @Option(names = "--kv-tokens", defaultValue = "20000", description = "KV-cache capacity in tokens (default: ${DEFAULT-VALUE}).")
    int kvTokens;
    @Option(names = "--block-size", defaultValue = "16", description = "Tokens per KV block (default: ${DEFAULT-VALUE}).")
    int blockSize;
    @Option(names = "--profile", defaultValue = "llama3-8b-a100", description = "Timing profile: llama3-8b-a100, llama3-70b-h100x4.")
    String profile;
    @Option(names = "--time-scale", defaultValue = "1.0", description = "Model seconds per wall second (default: ${DEFAULT-VALUE}).")
    double timeScale;
    @Option(names = "--max-num-seqs", defaultValue = "256", description = "Most running sequences (default: ${DEFAULT-VALUE}).")
    int maxNumSeqs;
    @Option(names = "--max-num-batched-tokens", description = "Most tokens per step (default: the profile's).")
    Integer maxBatchedTokens;
    @Option(names = "--no-prefix-caching", description = "Disable automatic prefix caching.")
    boolean noPrefixCaching;
    @Option(names = "--tokenizer", description = "Hugging Face tokenizer.json (default: code points / 4).")
    Path tokenizer;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of output lengths and faults (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--output-lengths", defaultValue = "lognormal:200:0.8",
            description = "Natural output length distribution: fixed:N, uniform:A:B, lognormal:MEDIAN:SIGMA (default: ${DEFAULT-VALUE}).")
    String outputLengths;
    @Option(names = "--flavor", defaultValue = "vllm", description = "Metric names: vllm or sglang (default: ${DEFAULT-VALUE}).")
    String flavor;
    @Option(names = "--sse-line-end", defaultValue = "lf",
            description = "What ends each line of a stream: lf, crlf or cr (default: ${DEFAULT-VALUE}).")
    String lineEnd;
    @Option(names = "--lora-modules", split = ",", description = "LoRA adapter names served besides the base model.")
    List<String> loras = new ArrayList<>();
    @Option(names = "--max-loras", defaultValue = "1", description = "Adapters in one batch (default: ${DEFAULT-VALUE}).")
    int maxLoras;
    @Option(names = "--fault-error-rate", defaultValue = "0", description = "Fraction of API requests answered 500.")
    double errorRate;
    @Option(names = "--fault-latency-ms", defaultValue = "0", description = "Delay added before each API request.")
    long latencyMs;
    @Option(names = "--fault-drop-after-tokens", defaultValue = "0", description = "Close the connection after N output tokens.")
    int dropAfter;
    @Option(names = "--fault-refuse-connections", description = "Close every accepted connection at once.")
    boolean refuse;
    @Option(names = "--fault-slow-start-ms", defaultValue = "0", description = "Answer 503 for this long after start.")
    long slowStartMs;
    @Option(names = "--fault-stall-rate", defaultValue = "0", description = "Fraction of API requests never answered.")
    double stallRate;
    @Option(names = "--fault-drop-rate", defaultValue = "0",
            description = "Fraction of completions reset after 1 to 8 output tokens.")
    double dropRate;
    @Option(names = "--fault-refuse-rate", defaultValue = "0", description = "Fraction of connections closed at once.")
    double refuseRate;

    @Override
    public Integer call() throws InterruptedException {
        Profile p = Profiles.byName(profile).orElseThrow(() -> new IllegalArgumentException(
                "unknown profile '" + profile + "'; known: " + String.join(", ", Profiles.names())));
        EngineConfig config = EngineConfig.of(kvTokens, p).withBlockSize(blockSize).withMaxNumSeqs(maxNumSeqs)
                .withMaxBatchedTokens(maxBatchedTokens == null ? p.maxBatchedTokens() : maxBatchedTokens)
                .withMaxLoras(maxLoras).withPrefixCaching(!noPrefixCaching);
        EngineOptions options = new EngineOptions(host, port, model, loras, config, timeScale, tokenizer, seed,
                outputLengths, EngineOptions.Flavor.valueOf(flavor.toUpperCase(java.util.Locale.ROOT)),
                new Faults(errorRate, latencyMs, dropAfter, refuse, slowStartMs, stallRate, dropRate, refuseRate),
                EngineOptions.LineEnd.valueOf(lineEnd.toUpperCase(java.util.Locale.ROOT)));
        Vertx vertx = Vertx.vertx();
        EngineServer server = EngineServer.deploy(vertx, options).await();
        System.out.printf("sluice-sim engine: model %s on %s:%d, %d KV blocks of %d tokens, profile %s, time scale %.2f%n",
                model, host, server.port(), config.numBlocks(), config.blockSize(), p.name(), timeScale);
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            vertx.close();
            forever.countDown();
        }));
        forever.await();
        return 0;
    }
}

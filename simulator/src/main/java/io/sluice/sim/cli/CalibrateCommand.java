package io.sluice.sim.cli;

import io.sluice.sim.engine.ClosedLoopBenchmark;
import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code calibrate}: runs the closed-loop sweep of a published vLLM benchmark on the model's
 * virtual clock and prints TTFT, TPOT and output throughput per concurrency.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Print the emulator's TTFT and throughput for a concurrency sweep (virtual time, no sockets).")
final class CalibrateCommand implements Callable<Integer> {
    @Mixin
    ProfileOption profileOption;
    @Option(names = "--kv-tokens", defaultValue = "150000", description = "KV capacity (default: ${DEFAULT-VALUE}, ~18 GB of Llama-3-8B KV on an A100 40GB).")
    int kvTokens;
    @Option(names = "--input-len", defaultValue = "1024")
    int inputLen;
    @Option(names = "--output-len", defaultValue = "128")
    int outputLen;
    @Option(names = "--requests-per-client", defaultValue = "20")
    int perClient;
    @Option(names = "--concurrency", split = ",", defaultValue = "1,2,4,8,16,32,64")
    int[] concurrency;

    @Override
    public Integer call() {
        Profile p = profileOption.resolve();
        EngineConfig config = EngineConfig.of(kvTokens, p);
        System.out.printf("profile %s, input %d, output %d, %d requests per client, max_num_batched_tokens %d%n",
                p.name(), inputLen, outputLen, perClient, config.maxBatchedTokens());
        System.out.println("| concurrency | mean TTFT (ms) | mean TPOT (ms) | output tok/s | preemptions |");
        System.out.println("|---|---|---|---|---|");
        for (int c : concurrency) {
            ClosedLoopBenchmark.Result r = ClosedLoopBenchmark.run(config, c, inputLen, outputLen, perClient);
            System.out.printf("| %d | %.1f | %.2f | %.1f | %d |%n", c, r.meanTtftMs(), r.meanTpotMs(),
                    r.outputTokensPerSec(), r.preemptions());
        }
        return 0;
    }
}

package io.sluice.sim.engine;

/**
 * The shape of {@code vllm bench serve --max-concurrency C --request-rate inf --ignore-eos}
 * run on the model's virtual clock: C clients, each sending its next request the moment the
 * previous one finishes, fixed input and output lengths, distinct prompts (no cache hits).
 */
public final class ClosedLoopBenchmark {
    /** Averages over all requests of one run. */
    public record Result(int concurrency, int requests, double meanTtftMs, double meanTpotMs,
                         double outputTokensPerSec, long preemptions) {
    }

    private ClosedLoopBenchmark() {
    }

    /** Runs {@code requestsPerClient x concurrency} requests and measures them as vllm bench does. */
    public static Result run(EngineConfig config, int concurrency, int inputLen, int outputLen, int requestsPerClient) {
        int total = concurrency * requestsPerClient;
        double[] sums = new double[2];
        int[] issued = {0};
        VirtualRunner[] runner = new VirtualRunner[1];
        EngineCore core = new EngineCore(config, new EngineListener() {
            @Override
            public void onFinish(Sequence seq, FinishReason reason, long nowNanos) {
                sums[0] += seq.firstTokenNanos() - seq.arrivalNanos();
                sums[1] += (double) (seq.finishNanos() - seq.firstTokenNanos()) / Math.max(1, seq.outputTokens() - 1);
                if (issued[0] < total) {
                    runner[0].submitAt(nowNanos, request(issued[0]++, inputLen, outputLen, nowNanos));
                }
            }
        });
        runner[0] = new VirtualRunner(core);
        for (int c = 0; c < concurrency; c++) {
            runner[0].submitAt(0, request(issued[0]++, inputLen, outputLen, 0));
        }
        runner[0].runUntilIdle();
        double seconds = runner[0].nowNanos() / 1e9;
        return new Result(concurrency, total, sums[0] / total / 1e6, sums[1] / total / 1e6,
                (double) total * outputLen / seconds, core.stats().preemptions());
    }

    private static Sequence request(int n, int inputLen, int outputLen, long at) {
        int[] prompt = new int[inputLen];
        for (int i = 0; i < inputLen; i++) {
            prompt[i] = n * 1_000_003 + i;
        }
        return new Sequence("bench-" + n, prompt, outputLen, FinishReason.LENGTH, null, at);
    }
}

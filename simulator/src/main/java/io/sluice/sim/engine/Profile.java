package io.sluice.sim.engine;

/**
 * Step timing of one model on one kind of hardware, as a roofline: a step costs a fixed
 * scheduling overhead plus the larger of its memory time (read all weights once, plus the KV
 * of every token attended to) and its compute time (every scheduled token through the model).
 * Small decode batches are memory-bound; prefill and large batches are compute-bound, so the
 * decode step grows with batch size and with total context, as measured on real engines.
 *
 * @param stepOverheadMs       CPU-side scheduling and launch cost paid by every step
 * @param weightReadMs         time to stream the weights once at achieved bandwidth
 * @param kvReadNsPerToken     time to read one token's KV (all layers) at achieved bandwidth
 * @param tokensPerSec         achieved compute throughput in tokens per second
 * @param maxBatchedTokens     vLLM's default max_num_batched_tokens for this setup
 * @param loraLoadMs           time to load one LoRA adapter into GPU memory
 */
public record Profile(String name, String description, double stepOverheadMs, double weightReadMs,
                      double kvReadNsPerToken, double tokensPerSec, int maxBatchedTokens,
                      double loraLoadMs) {

    /** Duration of one step in nanoseconds. */
    public long stepNanos(int scheduledTokens, long contextTokens) {
        double memoryNs = weightReadMs * 1e6 + contextTokens * kvReadNsPerToken;
        double computeNs = scheduledTokens / tokensPerSec * 1e9;
        return Math.round(stepOverheadMs * 1e6 + Math.max(memoryNs, computeNs));
    }

    public long loraLoadNanos() {
        return Math.round(loraLoadMs * 1e6);
    }
}

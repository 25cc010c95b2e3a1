package io.sluice.sim.engine;

/**
 * Capacity and scheduling limits of one emulated engine.
 *
 * @param kvTokens          KV-cache capacity in tokens (rounded down to whole blocks)
 * @param blockSize         tokens per block (vLLM's default is 16)
 * @param maxNumSeqs        most sequences running at once (vLLM's max_num_seqs)
 * @param maxBatchedTokens  most tokens scheduled in one step (max_num_batched_tokens)
 * @param maxLoras          most distinct LoRA adapters in one batch (max_loras)
 * @param prefixCaching     automatic prefix caching on or off
 */
public record EngineConfig(int kvTokens, int blockSize, int maxNumSeqs, int maxBatchedTokens,
                           int maxLoras, boolean prefixCaching, Profile profile) {
    public EngineConfig {
        if (blockSize <= 0 || kvTokens < blockSize) {
            throw new IllegalArgumentException("kvTokens must hold at least one block of " + blockSize);
        }
        if (maxNumSeqs <= 0 || maxBatchedTokens <= 0 || maxLoras <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public static EngineConfig of(int kvTokens, Profile profile) {
        return new EngineConfig(kvTokens, 16, 256, profile.maxBatchedTokens(), 1, true, profile);
    }

    public int numBlocks() {
        return kvTokens / blockSize;
    }

    /** Longest sequence the cache can ever hold: what the server reports as max_model_len. */
    public int maxModelLen() {
        return numBlocks() * blockSize;
    }

    public EngineConfig withMaxNumSeqs(int n) {
        return new EngineConfig(kvTokens, blockSize, n, maxBatchedTokens, maxLoras, prefixCaching, profile);
    }

    public EngineConfig withMaxBatchedTokens(int n) {
        return new EngineConfig(kvTokens, blockSize, maxNumSeqs, n, maxLoras, prefixCaching, profile);
    }

    public EngineConfig withMaxLoras(int n) {
        return new EngineConfig(kvTokens, blockSize, maxNumSeqs, maxBatchedTokens, n, prefixCaching, profile);
    }

    public EngineConfig withPrefixCaching(boolean on) {
        return new EngineConfig(kvTokens, blockSize, maxNumSeqs, maxBatchedTokens, maxLoras, on, profile);
    }

    public EngineConfig withBlockSize(int size) {
        return new EngineConfig(kvTokens, size, maxNumSeqs, maxBatchedTokens, maxLoras, prefixCaching, profile);
    }
}

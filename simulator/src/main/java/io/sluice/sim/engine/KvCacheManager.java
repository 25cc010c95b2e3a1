package io.sluice.sim.engine;

/**
 * Paged KV cache: per-sequence block tables over a {@link BlockPool}, with automatic prefix
 * caching of full prompt blocks. Every method answers "did it fit" as a boolean and changes
 * nothing when it did not.
 */
final class KvCacheManager {
    private final BlockPool pool;
    private final int blockSize;
    private final boolean prefixCaching;

    KvCacheManager(int numBlocks, int blockSize, boolean prefixCaching) {
        this.pool = new BlockPool(numBlocks);
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
    }

    int blockSize() { return blockSize; }
    int totalBlocks() { return pool.totalBlocks(); }
    int freeBlocks() { return pool.freeBlocks(); }
    BlockPool pool() { return pool; }

    /** Fraction of blocks referenced by some sequence, as vLLM's kv_cache_usage_perc. */
    double usage() {
        return 1.0 - (double) pool.freeBlocks() / pool.totalBlocks();
    }

    private int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    /**
     * Admits a sequence: takes back its cached prefix blocks and allocates fresh blocks for all
     * its remaining tokens. Returns the number of prompt tokens found in the cache, or -1 when
     * the blocks do not fit (then nothing changed).
     */
    int allocateForAdmission(Sequence seq) {
        if (seq.blockHashes == null) {
            seq.blockHashes = prefixCaching
                    ? BlockHasher.fullBlockHashes(seq.promptTokens(), blockSize, seq.lora())
                    : new long[0];
        }
        int hits = 0;
        int hitsInFreeQueue = 0;
        for (long h : seq.blockHashes) {
            Block b = pool.lookup(h);
            if (b == null) {
                break;
            }
            hits++;
            if (b.refCount == 0) {
                hitsInFreeQueue++;
            }
        }
        int needed = blocksFor(seq.totalTokens()) - hits;
        if (needed > pool.freeBlocks() - hitsInFreeQueue) {
            return -1;
        }
        for (int i = 0; i < hits; i++) {
            Block b = pool.lookup(seq.blockHashes[i]);
            pool.touch(b);
            seq.blocks.add(b);
        }
        for (int i = 0; i < needed; i++) {
            seq.blocks.add(pool.allocate());
        }
        for (int i = hits; i < seq.blockHashes.length; i++) {
            pool.cache(seq.blocks.get(i), seq.blockHashes[i]);
        }
        return hits * blockSize;
    }

    /** Makes sure the sequence holds slots for {@code tokens} tokens; false when no block is free. */
    boolean ensureSlots(Sequence seq, int tokens) {
        int needed = blocksFor(tokens) - seq.blocks.size();
        if (needed <= 0) {
            return true;
        }
        if (needed > pool.freeBlocks()) {
            return false;
        }
        for (int i = 0; i < needed; i++) {
            seq.blocks.add(pool.allocate());
        }
        return true;
    }

    /** Frees all blocks of a sequence, tail first, so its last blocks are evicted first. */
    void free(Sequence seq) {
        for (int i = seq.blocks.size() - 1; i >= 0; i--) {
            pool.release(seq.blocks.get(i));
        }
        seq.blocks.clear();
    }
}

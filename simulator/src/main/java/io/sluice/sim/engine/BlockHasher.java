package io.sluice.sim.engine;

/**
 * Chained block hashes as vLLM's automatic prefix caching computes them: the hash of block i
 * covers its parent's hash, its own token ids and the extra key (the LoRA adapter), so two
 * prompts share block i only when they agree on every token up to the end of that block.
 */
final class BlockHasher {
    private BlockHasher() {
    }

    /** Hashes of every full block of {@code tokens}; a trailing partial block has none. */
    static long[] fullBlockHashes(int[] tokens, int blockSize, String extraKey) {
        int full = tokens.length / blockSize;
        long[] hashes = new long[full];
        long parent = extraKey == null ? 0x9E3779B97F4A7C15L : mix(extraKey.hashCode() * 0xC2B2AE3D27D4EB4FL);
        for (int b = 0; b < full; b++) {
            long h = parent;
            for (int i = b * blockSize; i < (b + 1) * blockSize; i++) {
                h = mix(h ^ (tokens[i] & 0xFFFFFFFFL) * 0x9E3779B97F4A7C15L);
            }
            if (h == Block.NO_HASH) {
                h = 1;
            }
            hashes[b] = h;
            parent = h;
        }
        return hashes;
    }

    /** SplitMix64 finaliser: a cheap, well-distributed 64-bit mix. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

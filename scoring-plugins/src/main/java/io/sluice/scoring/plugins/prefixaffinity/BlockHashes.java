package io.sluice.scoring.plugins.prefixaffinity;

/**
 * Chained 64-bit hashes of a prompt's leading fixed-size blocks: FNV-1a over the block's chars
 * taken four at a time (one multiply per 64 bits: the multiply chain is what costs), seeded with
 * the previous block's hash (the first with the model's), finished with a murmur3 mix. Stable
 * across JVMs and processes. Block sizes are multiples of four characters.
 */
final class BlockHashes {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final long[] NONE = new long[0];

  private BlockHashes() {}

  static long[] of(String model, CharSequence text, int blockChars, int maxBlocks) {
    int count = text == null ? 0 : Math.min(text.length() / blockChars, maxBlocks);
    if (count == 0) {
      return NONE;
    }
    long[] out = new long[count];
    String name = model == null ? "" : model;
    long seed = mix(chars(FNV_OFFSET, name, 0, name.length()));
    for (int b = 0; b < count; b++) {
      seed = mix(quads(seed, text, b * blockChars, (b + 1) * blockChars));
      out[b] = seed;
    }
    return out;
  }

  private static long chars(long h, CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      h = (h ^ s.charAt(i)) * FNV_PRIME;
    }
    return h;
  }

  private static long quads(long h, CharSequence s, int from, int to) {
    for (int i = from; i < to; i += 4) {
      long word = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
          | (long) s.charAt(i + 3) << 48;
      h = (h ^ word) * FNV_PRIME;
    }
    return h;
  }

  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}

package io.sluice.router.estimate;

/**
 * A 128-bit key for a text, computed over its chars without copying them: two independent
 * multiply-xorshift streams and the length. Not cryptographic: a collision only costs a wrong
 * count for the request that contains the colliding text, and the ledger corrects a wrong
 * estimate with the real usage.
 *
 * @param high first 64-bit hash
 * @param low second 64-bit hash
 * @param length the text's length in chars
 */
record ContentHash(long high, long low, int length) {
  private static final long M1 = 0x9E3779B97F4A7C15L;
  private static final long M2 = 0xC2B2AE3D27D4EB4FL;

  static ContentHash of(String text) {
    return of(0, text);
  }

  /** A key for {@code text} under a namespace (e.g. a model or tokenizer), so equal texts can differ. */
  static ContentHash of(long namespace, CharSequence text) {
    long h1 = 0x243F6A8885A308D3L ^ namespace;
    long h2 = 0x13198A2E03707344L + namespace * M2;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      h1 = (h1 ^ c) * M1;
      h1 ^= h1 >>> 31;
      h2 = (h2 + c) * M2;
      h2 ^= h2 >>> 29;
    }
    return new ContentHash(mix(h1), mix(h2 ^ h1), n);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

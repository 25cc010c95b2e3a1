package io.sluice.sim.text;

/** The text of generated tokens: one plain word per token, deterministic by position. */
public final class OutputText {
    private static final String[] WORDS = {
        "the", "router", "admits", "requests", "by", "their", "token", "cost", "and", "each",
        "pod", "keeps", "a", "budget", "of", "cache", "blocks", "so", "that", "no", "engine",
        "ever", "runs", "out", "while", "queues", "stay", "short", "fair", "fast"
    };

    private OutputText() {
    }

    /** Text of output token {@code index}: a leading space, then a word; a period every 12 words. */
    public static String token(int index) {
        String word = WORDS[(index * 7 + index / WORDS.length) % WORDS.length];
        return (index % 12 == 11) ? " " + word + "." : " " + word;
    }
}

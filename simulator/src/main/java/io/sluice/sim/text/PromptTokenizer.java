package io.sluice.sim.text;

/** Turns prompt text into token ids; the emulator needs ids for prefix caching, not just counts. */
public interface PromptTokenizer {
    /** Token ids of {@code text}, with no special tokens added and no truncation. */
    int[] encode(String text);

    /** Short description for logs and /v1/models. */
    String describe();
}

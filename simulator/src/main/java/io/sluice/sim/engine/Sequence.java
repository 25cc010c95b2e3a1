package io.sluice.sim.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * One request inside the engine: its prompt token ids, how many output tokens it will produce
 * before it stops, and the KV blocks it holds. Mutated only by {@link EngineCore}.
 */
public final class Sequence {
    private final String id;
    private final int[] promptTokens;
    private final int outputLimit;
    private final FinishReason limitReason;
    private final String lora;
    private final long arrivalNanos;

    SequenceState state = SequenceState.WAITING;
    final List<Block> blocks = new ArrayList<>();
    long[] blockHashes;
    int computedTokens;
    int outputTokens;
    long admittedOrder;
    int preemptions;
    long firstTokenNanos = -1;
    long finishNanos = -1;
    FinishReason finishReason;

    /**
     * @param outputLimit  output tokens the sequence produces before it ends (at least 1)
     * @param limitReason  what ending at {@code outputLimit} means: STOP for a natural end,
     *                     LENGTH when max_tokens cut it
     * @param lora         LoRA adapter name, or null for the base model
     */
    public Sequence(String id, int[] promptTokens, int outputLimit, FinishReason limitReason,
                    String lora, long arrivalNanos) {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        if (outputLimit < 1) {
            throw new IllegalArgumentException("outputLimit must be >= 1: " + outputLimit);
        }
        this.id = id;
        this.promptTokens = promptTokens;
        this.outputLimit = outputLimit;
        this.limitReason = limitReason;
        this.lora = lora;
        this.arrivalNanos = arrivalNanos;
    }

    public String id() { return id; }
    public int promptLength() { return promptTokens.length; }
    int[] promptTokens() { return promptTokens; }
    public int outputLimit() { return outputLimit; }
    public String lora() { return lora; }
    public long arrivalNanos() { return arrivalNanos; }
    public SequenceState state() { return state; }
    public int outputTokens() { return outputTokens; }
    public int preemptions() { return preemptions; }
    public int heldBlocks() { return blocks.size(); }
    public long firstTokenNanos() { return firstTokenNanos; }
    public long finishNanos() { return finishNanos; }
    public FinishReason finishReason() { return finishReason; }
    FinishReason limitReason() { return limitReason; }

    /** Tokens whose KV the sequence needs: prompt plus everything generated so far. */
    int totalTokens() {
        return promptTokens.length + outputTokens;
    }

    @Override
    public String toString() {
        return "Sequence[" + id + " " + state + " prompt=" + promptTokens.length + " out=" + outputTokens
                + "/" + outputLimit + " blocks=" + blocks.size() + "]";
    }
}

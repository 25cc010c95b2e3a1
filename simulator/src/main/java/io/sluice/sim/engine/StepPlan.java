package io.sluice.sim.engine;

import java.util.ArrayList;
import java.util.List;

/** What one engine step computes: each scheduled sequence with its token count, and how long it takes. */
public final class StepPlan {
    final List<Sequence> seqs = new ArrayList<>();
    final List<Integer> tokens = new ArrayList<>();
    int scheduledTokens;
    int prefillTokens;
    int decodeSeqs;
    long contextTokens;
    int loraLoads;
    long startNanos;
    long durationNanos;

    void add(Sequence seq, int n) {
        seqs.add(seq);
        tokens.add(n);
        scheduledTokens += n;
        contextTokens += seq.computedTokens + n;
        if (seq.outputTokens > 0 && seq.totalTokens() - seq.computedTokens == 1) {
            decodeSeqs++;
        } else {
            prefillTokens += n;
        }
    }

    public long startNanos() { return startNanos; }
    public long durationNanos() { return durationNanos; }
    public long endNanos() { return startNanos + durationNanos; }
    public int scheduledTokens() { return scheduledTokens; }
    public int prefillTokens() { return prefillTokens; }
    public int decodeSeqs() { return decodeSeqs; }
    public int batchSize() { return seqs.size(); }
}

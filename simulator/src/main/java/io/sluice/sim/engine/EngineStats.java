package io.sluice.sim.engine;

/** Monotonic counters of one engine; read by the metrics exporters. Confined like the engine. */
public final class EngineStats {
    long preemptions;
    long promptTokens;
    long generationTokens;
    long prefixQueryTokens;
    long prefixHitTokens;
    long finishedStop;
    long finishedLength;
    long aborted;
    long loraLoads;
    long steps;

    public long preemptions() { return preemptions; }
    public long promptTokens() { return promptTokens; }
    public long generationTokens() { return generationTokens; }
    public long prefixQueryTokens() { return prefixQueryTokens; }
    public long prefixHitTokens() { return prefixHitTokens; }
    public long finishedStop() { return finishedStop; }
    public long finishedLength() { return finishedLength; }
    public long aborted() { return aborted; }
    public long loraLoads() { return loraLoads; }
    public long steps() { return steps; }
}

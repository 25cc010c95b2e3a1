package io.sluice.sim.server;

/**
 * Failure behaviours to inject, for testing the router's error paths. Rates are per request (per
 * connection for {@code refuseRate}), drawn from the engine's seeded random, so a run repeats.
 *
 * @param errorRate         fraction of API requests answered 500 at once
 * @param addedLatencyMs    wall-clock delay before each API request is handled
 * @param dropAfterTokens   close the connection after this many output tokens (0 = never)
 * @param refuseConnections close every accepted connection at once
 * @param slowStartMs       for this long after start, /health and the API answer 503
 * @param stallRate         fraction of API requests never answered (the connection stays open)
 * @param dropRate          fraction of completions whose connection is reset after 1 to 8 output tokens
 * @param refuseRate        fraction of accepted connections closed at once, before any request
 */
public record Faults(double errorRate, long addedLatencyMs, int dropAfterTokens, boolean refuseConnections,
                     long slowStartMs, double stallRate, double dropRate, double refuseRate) {
    public static final Faults NONE = new Faults(0, 0, 0, false, 0);

    public Faults {
        for (double rate : new double[] {errorRate, stallRate, dropRate, refuseRate}) {
            if (rate < 0 || rate > 1) {
                throw new IllegalArgumentException("fault rates must be within [0, 1]: " + rate);
            }
        }
        if (addedLatencyMs < 0 || dropAfterTokens < 0 || slowStartMs < 0) {
            throw new IllegalArgumentException("fault delays and counts must not be negative");
        }
    }

    public Faults(double errorRate, long addedLatencyMs, int dropAfterTokens, boolean refuseConnections,
                  long slowStartMs) {
        this(errorRate, addedLatencyMs, dropAfterTokens, refuseConnections, slowStartMs, 0, 0, 0);
    }

    /** Seeded random faults only: 500s, stalls, mid-stream resets and refused connections. */
    public static Faults random(double errorRate, double stallRate, double dropRate, double refuseRate) {
        return new Faults(errorRate, 0, 0, false, 0, stallRate, dropRate, refuseRate);
    }
}

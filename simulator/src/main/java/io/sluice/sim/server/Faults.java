package io.sluice.sim.server;

/**
 * Failure behaviours to inject, for testing the router's error paths.
 *
 * @param errorRate         fraction of API requests answered 500 at once
 * @param addedLatencyMs    wall-clock delay before each API request is handled
 * @param dropAfterTokens   close the connection after this many output tokens (0 = never)
 * @param refuseConnections close every accepted connection at once
 * @param slowStartMs       for this long after start, /health and the API answer 503
 */
public record Faults(double errorRate, long addedLatencyMs, int dropAfterTokens, boolean refuseConnections,
                     long slowStartMs) {
    public static final Faults NONE = new Faults(0, 0, 0, false, 0);

    public Faults {
        if (errorRate < 0 || errorRate > 1) {
            throw new IllegalArgumentException("error rate must be within [0, 1]: " + errorRate);
        }
        if (addedLatencyMs < 0 || dropAfterTokens < 0 || slowStartMs < 0) {
            throw new IllegalArgumentException("fault delays and counts must not be negative");
        }
    }
}

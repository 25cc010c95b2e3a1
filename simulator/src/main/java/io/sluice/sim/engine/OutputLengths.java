package io.sluice.sim.engine;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Natural output lengths: how many tokens a request would produce if nothing cut it. Either
 * given per request (replaying a trace), or drawn from a seeded distribution so a router cannot
 * learn the length from max_tokens. The cut at max_tokens happens afterwards, in the caller.
 */
public final class OutputLengths {
    private final Kind kind;
    private final double a;
    private final double b;
    private final int max;
    private final SplittableRandom random;

    private enum Kind { FIXED, UNIFORM, LOGNORMAL }

    private OutputLengths(Kind kind, double a, double b, int max, long seed) {
        this.kind = kind;
        this.a = a;
        this.b = b;
        this.max = max;
        this.random = new SplittableRandom(seed);
    }

    /**
     * Parses {@code fixed:N}, {@code uniform:MIN:MAX} or {@code lognormal:MEDIAN:SIGMA}
     * (the shape of chat output lengths: a median of a few hundred tokens and a long tail).
     */
    public static OutputLengths parse(String spec, int max, long seed) {
        String[] p = spec.trim().toLowerCase(Locale.ROOT).split(":");
        try {
            switch (p[0]) {
                case "fixed":
                    return new OutputLengths(Kind.FIXED, Double.parseDouble(p[1]), 0, max, seed);
                case "uniform":
                    return new OutputLengths(Kind.UNIFORM, Double.parseDouble(p[1]), Double.parseDouble(p[2]), max, seed);
                case "lognormal":
                    return new OutputLengths(Kind.LOGNORMAL, Double.parseDouble(p[1]), Double.parseDouble(p[2]), max, seed);
                default:
                    throw new IllegalArgumentException("unknown output length distribution: " + spec);
            }
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("bad output length distribution '" + spec
                    + "': use fixed:N, uniform:MIN:MAX or lognormal:MEDIAN:SIGMA", e);
        }
    }

    /** Draws the next natural length, at least 1 and at most the configured maximum. */
    public synchronized int next() {
        double v;
        switch (kind) {
            case FIXED:
                v = a;
                break;
            case UNIFORM:
                v = a + random.nextDouble() * (b - a + 1);
                break;
            case LOGNORMAL:
                v = a * Math.exp(b * gaussian());
                break;
            default:
                throw new IllegalStateException(kind.name());
        }
        return (int) Math.max(1, Math.min(max, Math.floor(v)));
    }

    private double gaussian() {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * The output limit of a request: its natural length cut at {@code maxTokens} (null when
     * the request gave none). Returns the limit and whether reaching it means "length".
     */
    public static Limit limit(int natural, Integer maxTokens) {
        if (maxTokens != null && maxTokens < natural) {
            return new Limit(Math.max(1, maxTokens), FinishReason.LENGTH);
        }
        return new Limit(natural, FinishReason.STOP);
    }

    /** An output limit with the finish reason it ends with. */
    public record Limit(int tokens, FinishReason reason) {
    }
}

package io.sluice.sim.replay;

/**
 * One request to send.
 *
 * @param index        position in the schedule (0, 1, ...), also the request's id
 * @param offsetNanos  when to send it, in nanoseconds after the run starts
 * @param promptTokens prompt length to synthesise
 * @param outputTokens output length to ask the engine for
 */
public record Arrival(int index, long offsetNanos, int promptTokens, int outputTokens) {
}

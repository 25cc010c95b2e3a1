package io.sluice.sim.replay;

/**
 * One request of a trace.
 *
 * @param offsetNanos  arrival time, in nanoseconds after the trace's first arrival
 * @param promptTokens prompt tokens (the trace's ContextTokens)
 * @param outputTokens output tokens the engine generated (the trace's GeneratedTokens)
 */
public record TraceRecord(long offsetNanos, int promptTokens, int outputTokens) {
  public TraceRecord {
    if (offsetNanos < 0 || promptTokens < 0 || outputTokens < 0) {
      throw new IllegalArgumentException("negative field in " + offsetNanos + "," + promptTokens + "," + outputTokens);
    }
  }
}

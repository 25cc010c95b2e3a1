package io.sluice.sim.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Turns a trace into the arrivals of one run: as recorded, or with every inter-arrival gap
 * multiplied by one factor so that the mean rate is the target rate (the burst shape is kept).
 * A trace shorter than the run is replayed again from its start, one mean gap after its end.
 * The schedule ends at the duration or the request limit, whichever comes first.
 */
public final class ArrivalSchedule {
  private ArrivalSchedule() {
  }

  /**
   * @param rate          target mean request rate per second; empty to replay as recorded
   * @param durationNanos arrivals at or after this offset are left out
   * @param maxRequests   most arrivals
   */
  public static List<Arrival> build(List<TraceRecord> trace, OptionalDouble rate, long durationNanos, int maxRequests) {
    if (trace.isEmpty()) {
      throw new IllegalArgumentException("empty trace");
    }
    if (rate.isPresent() && !(rate.getAsDouble() > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + rate.getAsDouble());
    }
    int n = trace.size();
    long span = trace.get(n - 1).offsetNanos();
    double meanGap = n > 1 && span > 0 ? (double) span / (n - 1) : 1e9;
    double factor = rate.isPresent() ? (1e9 / rate.getAsDouble()) / meanGap : 1.0;
    double cycle = span + meanGap;
    List<Arrival> arrivals = new ArrayList<>();
    for (int i = 0; i < maxRequests; i++) {
      TraceRecord r = trace.get(i % n);
      double recorded = (i / n) * cycle + r.offsetNanos();
      long offset = Math.round(recorded * factor);
      if (offset >= durationNanos) {
        break;
      }
      arrivals.add(new Arrival(i, offset, r.promptTokens(), r.outputTokens()));
    }
    return arrivals;
  }
}

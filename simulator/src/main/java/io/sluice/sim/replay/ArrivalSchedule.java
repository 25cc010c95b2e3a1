package io.sluice.sim.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Turns a trace into the arrivals of one run. As recorded: the trace's own offsets. At a target
 * rate: the first {@code rate x duration} records (capped by the request limit) with every
 * inter-arrival gap multiplied by one factor, so that this window's mean rate is the target rate
 * and its burst shape is kept. A trace shorter than the run is replayed again from its start, one
 * mean gap after its end. The schedule ends at the duration or the request limit, whichever comes
 * first.
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
    double cycle = span + meanGap;
    int count = maxRequests;
    if (rate.isPresent()) {
      count = (int) Math.min(maxRequests, Math.max(1, Math.round(rate.getAsDouble() * durationNanos / 1e9)));
    }
    double[] recorded = new double[count];
    for (int i = 0; i < count; i++) {
      recorded[i] = (double) (i / n) * cycle + trace.get(i % n).offsetNanos();
      if (rate.isEmpty() && recorded[i] >= durationNanos) {
        count = i;
        break;
      }
    }
    double factor = 1.0;
    if (rate.isPresent()) {
      double windowGap = count > 1 && recorded[count - 1] > 0 ? recorded[count - 1] / (count - 1) : meanGap;
      factor = (1e9 / rate.getAsDouble()) / windowGap;
    }
    List<Arrival> arrivals = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long offset = Math.round(recorded[i] * factor);
      if (offset >= durationNanos) {
        break;
      }
      TraceRecord r = trace.get(i % n);
      arrivals.add(new Arrival(i, offset, r.promptTokens(), r.outputTokens()));
    }
    return arrivals;
  }
}

package io.sluice.sim.replay;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The figures of one run, from the client's side: latency percentiles (ms), throughput and
 * goodput (per second of the run, from its start to the last response), errors by status, and
 * SLO attainment: requests served within both objectives over requests sent (a refused or failed
 * request is a miss).
 *
 * @param errors failed requests by {@code status} (0: no response) with their count
 * @param sloMet requests that succeeded within the TTFT and TPOT objectives
 */
public record ReplaySummary(int requests, int ok, Map<Integer, Integer> errors, double seconds,
                            LatencyStats ttft, LatencyStats itl, LatencyStats e2e, LatencyStats tpot,
                            LatencyStats sendLag, double requestsPerSec, double outputTokensPerSec,
                            double goodputPerSec, Slo slo, int sloMet) {

  /** Requests served within both objectives over requests sent; NaN when none was sent. */
  public double sloAttainment() {
    return requests == 0 ? Double.NaN : (double) sloMet / requests;
  }

  /**
   * @param itlMicros inter-token gaps recorded while the run went on
   * @param seconds   from the run's start to its last response
   */
  public static ReplaySummary of(List<RequestResult> results, Histogram itlMicros, double seconds, Slo slo) {
    Histogram ttft = LatencyStats.newHistogram();
    Histogram e2e = LatencyStats.newHistogram();
    Histogram tpot = LatencyStats.newHistogram();
    Histogram lag = LatencyStats.newHistogram();
    Map<Integer, Integer> errors = new TreeMap<>();
    int ok = 0;
    int good = 0;
    long outputTokens = 0;
    for (RequestResult r : results) {
      LatencyStats.record(lag, r.sendLagNanos());
      if (!r.ok()) {
        errors.merge(r.status(), 1, Integer::sum);
        continue;
      }
      ok++;
      good += slo.met(r) ? 1 : 0;
      outputTokens += r.stream() ? r.chunks() : r.outputTokens();
      LatencyStats.record(e2e, r.e2eNanos());
      if (r.ttftNanos() >= 0) {
        LatencyStats.record(ttft, r.ttftNanos());
      }
      if (r.tpotNanos() >= 0) {
        LatencyStats.record(tpot, r.tpotNanos());
      }
    }
    double s = Math.max(seconds, 1e-9);
    return new ReplaySummary(results.size(), ok, errors, seconds, LatencyStats.of(ttft), LatencyStats.of(itlMicros),
        LatencyStats.of(e2e), LatencyStats.of(tpot), LatencyStats.of(lag), ok / s, outputTokens / s, good / s, slo, good);
  }

  public int failed() {
    return requests - ok;
  }

  /** A human-readable summary. */
  public void print(PrintStream out) {
    out.printf(Locale.ROOT, "requests %d, ok %d, failed %d %s, in %.1f s%n", requests, ok, failed(),
        errors.isEmpty() ? "" : "(by status " + errors + ")", seconds);
    out.printf(Locale.ROOT, "SLO attainment %.1f%% (%d of %d within TTFT <= %.0f ms and TPOT <= %.0f ms)%n",
        100 * sloAttainment(), sloMet, requests, slo.ttftMillis(), slo.tpotMillis());
    out.printf(Locale.ROOT, "throughput %.1f req/s, %.0f output tok/s; goodput %.1f req/s%n",
        requestsPerSec, outputTokensPerSec, goodputPerSec);
    out.println("latency (ms)      p50       p90       p99       max     count");
    line(out, "TTFT", ttft);
    line(out, "inter-token", itl);
    line(out, "TPOT", tpot);
    line(out, "end-to-end", e2e);
    line(out, "send lag", sendLag);
  }

  private static void line(PrintStream out, String name, LatencyStats s) {
    out.printf(Locale.ROOT, "%-12s %9.2f %9.2f %9.2f %9.2f %9d%n", name, s.p50(), s.p90(), s.p99(), s.max(), s.count());
  }
}

package io.sluice.sim.cluster;

import java.util.Locale;

/**
 * The figures of one simulated run (one policy at one load). {@code sloMet} requests were served
 * within both objectives; SLO attainment is that over all requests offered, a refused request
 * counting as a miss. {@code missedTtft} were served with a late first token, {@code missedTpot}
 * with a first token in time but slow tokens after it; {@code rejectedTokenShare} is the share of
 * the offered prompt plus output tokens that was refused. Latencies in milliseconds of virtual
 * time; rates per second of virtual time, from the first arrival to the last request's end.
 * {@code rejectedSize} is the mean size (prompt plus output tokens) of the refused requests over the
 * workload's mean, NaN when none was refused: above 1, refusals fall on large requests.
 */
public record RunResult(String policy, double load, double offeredRps, int requests, int completed,
    int rejected, double rejectedSize, double ttftP50, double ttftP99, double itlP99, double e2eP99,
    double queueWaitP50, double queueWaitP99, double throughputRps, double outputTps, double goodputRps, long preemptions,
    long overrunTokens, double seconds, int sloMet, int missedTtft, int missedTpot, double rejectedTokenShare) {

  /** Requests served within both objectives over requests offered (refused ones count as misses). */
  public double sloAttainment() {
    return requests == 0 ? Double.NaN : (double) sloMet / requests;
  }

  public static final String CSV_HEADER = "policy,load,offered_rps,requests,completed,rejected,rejected_size,"
      + "ttft_p50_ms,ttft_p99_ms,itl_p99_ms,e2e_p99_ms,queue_wait_p50_ms,queue_wait_p99_ms,throughput_rps,output_tps,"
      + "goodput_rps,preemptions,overrun_tokens,virtual_seconds,slo_attainment,slo_met,missed_ttft,missed_tpot,"
      + "rejected_token_share";

  public String csvRow() {
    return String.format(Locale.ROOT,
        "%s,%.2f,%.3f,%d,%d,%d,%.2f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.3f,%.1f,%.3f,%d,%d,%.1f,%.4f,%d,%d,%d,%.4f",
        policy, load, offeredRps, requests, completed, rejected, rejectedSize, ttftP50, ttftP99, itlP99, e2eP99,
        queueWaitP50, queueWaitP99, throughputRps, outputTps, goodputRps, preemptions, overrunTokens, seconds,
        sloAttainment(), sloMet, missedTtft, missedTpot, rejectedTokenShare);
  }
}

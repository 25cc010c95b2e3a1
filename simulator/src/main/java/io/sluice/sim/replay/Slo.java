package io.sluice.sim.replay;

/**
 * Service-level objective for goodput: a request counts when it succeeded, its first token came
 * within {@code ttftMillis} and its mean time per later token was within {@code tpotMillis}
 * (non-streamed requests: end-to-end latency within {@code ttftMillis}).
 */
public record Slo(double ttftMillis, double tpotMillis) {
  public boolean met(RequestResult r) {
    if (!r.ok()) {
      return false;
    }
    if (!r.stream()) {
      return r.e2eNanos() <= ttftMillis * 1e6;
    }
    return r.ttftNanos() >= 0 && r.ttftNanos() <= ttftMillis * 1e6 && r.tpotNanos() <= tpotMillis * 1e6;
  }
}

package io.sluice.sim.replay;

/**
 * What the client saw of one request. Times are nanoseconds measured from the request's
 * scheduled send time (open loop: a late send counts against latency); -1 when not applicable.
 *
 * @param target       base URL the request went to
 * @param status       HTTP status, or 0 when no response arrived (connection error, timeout)
 * @param error        short error text, empty on success
 * @param sendLagNanos how late the request was actually sent
 * @param ttftNanos    first content chunk (streams only)
 * @param e2eNanos     end of the response
 * @param chunks       content chunks received (streams only; the emulator sends one per token)
 * @param maxGapNanos  longest gap between two content chunks
 */
public record RequestResult(int index, String target, int promptTokens, int outputTokens, boolean stream,
                            int status, String error, long sendLagNanos, long ttftNanos, long e2eNanos,
                            int chunks, long maxGapNanos) {

  public boolean ok() {
    return status == 200 && error.isEmpty();
  }

  /** Mean time per output token after the first, or -1. */
  public long tpotNanos() {
    return ok() && ttftNanos >= 0 && chunks > 1 ? (e2eNanos - ttftNanos) / (chunks - 1) : -1;
  }
}

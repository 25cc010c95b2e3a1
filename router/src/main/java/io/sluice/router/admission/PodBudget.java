package io.sluice.router.admission;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pod's token budget and what is reserved against it.
 *
 * <p>Concurrency: {@code reserved} moves by compare-and-set ({@link #tryReserve}) or by plain
 * atomic adds (growth and release, which must never fail). {@code budget} may change at any time
 * (config edits, the engine reporting its KV size, a shared ledger granting or taking back a
 * share); reservations already made stay valid, so after a shrink {@code reserved} may exceed
 * {@code budget} until requests finish. A shrink is linearizable with reservations: a reservation
 * re-reads the budget after its compare-and-set and backs out if the budget fell below it in the
 * meantime, so once {@link #setBudget} has returned, a later read of {@link #reserved} covers every
 * reservation that will ever count against the old budget (what a shared ledger relies on before
 * it hands a share back). No lock anywhere.
 *
 * <p>{@code ceiling} is the largest budget the pod can have (its whole budget); a request above it
 * can never fit. It equals {@code budget} unless a shared ledger gives this router a share of it.
 */
public final class PodBudget {
  private final String podId;
  private final AtomicLong budget;
  private volatile long ceiling;
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong overrunTokens = new AtomicLong();
  /** Prompt tokens of requests in flight whose first output token has not come yet (SGLang's num_waiting_tokens, kept by the router). */
  private final AtomicLong pendingPrefill = new AtomicLong();
  private static final double PREFILL_RATE_WEIGHT = 0.1;
  private volatile double prefillRate;
  private final PoolTotals totals;
  private volatile boolean accepting = true;
  private volatile boolean ejected;
  /** Back from an ejection and not yet answered well: one request in flight at a time. */
  private volatile boolean probation;

  /**
   * @param budget tokens that may be reserved; 0 while unknown (nothing fits)
   * @param totals the pool's running totals, kept in step with this pod's; told of every release
   */
  PodBudget(String podId, long budget, PoolTotals totals) {
    this.podId = podId;
    this.budget = new AtomicLong(budget);
    this.ceiling = budget;
    this.totals = totals;
  }

  public String podId() {
    return podId;
  }

  public long budget() {
    return budget.get();
  }

  public long reserved() {
    return reserved.get();
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Tokens reservations had to grow by past their estimate, in total. */
  public long overrunTokens() {
    return overrunTokens.get();
  }

  /** The whole budget of the pod: no request above it can ever fit. */
  public long ceiling() {
    return ceiling;
  }

  /** Budget left, never negative. */
  public long headroom() {
    return Math.max(0, budget.get() - reserved.get());
  }

  /** False once the pod is going away or while it is ejected: nothing new is admitted to it. */
  public boolean accepting() {
    return accepting && !ejected;
  }

  /**
   * Whether a request may be placed on the pod now: it is accepting, and unless on probation with
   * its one probe in flight. Pickers choose among these; a pod that is merely busy on probation
   * still counts as in the pool (its ceiling, readiness).
   */
  public boolean takesRequestNow() {
    return accepting() && !(probation && inFlight.get() > 0);
  }

  public boolean ejected() {
    return ejected;
  }

  void setBudget(long tokens) {
    budget.set(tokens);
    ceiling = tokens;
  }

  /** This router's share of the pod's whole budget {@code ceiling}. */
  void setShare(long share, long ceiling) {
    this.ceiling = ceiling;
    budget.set(share);
  }

  void setEjected(boolean ejected) {
    this.ejected = ejected;
  }

  void setProbation(boolean probation) {
    this.probation = probation;
  }

  /** True while the pod takes one request at a time, after an ejection, until it answers well. */
  public boolean onProbation() {
    return probation;
  }

  void stopAccepting() {
    accepting = false;
  }

  /** The pod came back before the requests it held ended. */
  void resumeAccepting() {
    accepting = true;
  }

  /** Prompt tokens sent to the pod whose first output token has not come back yet. */
  public long pendingPrefill() {
    return pendingPrefill.get();
  }

  /**
   * Prompt tokens this pod's engine prefills per second, as its requests' first tokens showed
   * (smoothed; racing updates may lose one, no more); 0 before the first.
   */
  public double prefillTokensPerSecond() {
    return prefillRate;
  }

  /**
   * A request's prompt left the pending prefill. {@code seen}: at its first token, which came
   * {@code now - reservedAt} after the request was reserved behind {@code ahead} pending prompt
   * tokens; that teaches the prefill rate. Not seen (a plain answer, a release before any token):
   * nothing is learned.
   */
  void prefillDone(long tokens, boolean seen, long ahead, long reservedAt) {
    pendingPrefill.addAndGet(-tokens);
    if (seen) {
      long elapsed = totals.now() - reservedAt;
      if (elapsed > 0) {
        double sample = (ahead + tokens) * 1e9 / elapsed;
        double rate = prefillRate;
        prefillRate = rate == 0 ? sample : rate + PREFILL_RATE_WEIGHT * (sample - rate);
      }
    }
  }

  Optional<Reservation> tryReserve(long tokens) {
    return tryReserve(tokens, 0);
  }

  /**
   * Reserves {@code tokens} if they fit in the budget, counting {@code prompt} as pending prefill
   * until the reservation's first token or release; refusal is an empty result.
   */
  Optional<Reservation> tryReserve(long tokens, long prompt) {
    if (!accepting()) {
      return Optional.empty();
    }
    while (true) {
      long current = reserved.get();
      if (current + tokens > budget.get()) {
        return Optional.empty();
      }
      if (reserved.compareAndSet(current, current + tokens)) {
        if (current + tokens > budget.get()) {
          reserved.addAndGet(-tokens); // the budget shrank under us: never counted, so nothing to wake
          continue;
        }
        if (inFlight.incrementAndGet() > 1 && probation) {
          inFlight.decrementAndGet(); // on probation the probe in flight is the only one
          reserved.addAndGet(-tokens); // never counted, so nothing to wake
          return Optional.empty();
        }
        totals.reserved(tokens);
        long ahead = pendingPrefill.getAndAdd(prompt);
        return Optional.of(new Reservation(this, tokens, prompt, ahead, prompt > 0 ? totals.now() : 0));
      }
    }
  }

  /** Reserves whether or not it fits: observe mode keeps the books without enforcing them. */
  Reservation forceReserve(long tokens) {
    return forceReserve(tokens, 0);
  }

  Reservation forceReserve(long tokens, long prompt) {
    reserved.addAndGet(tokens);
    inFlight.incrementAndGet();
    totals.reserved(tokens);
    long ahead = pendingPrefill.getAndAdd(prompt);
    return new Reservation(this, tokens, prompt, ahead, prompt > 0 ? totals.now() : 0);
  }

  void grown(long tokens) {
    reserved.addAndGet(tokens);
    overrunTokens.addAndGet(tokens);
    totals.grown(tokens);
  }

  void released(long tokens) {
    reserved.addAndGet(-tokens);
    inFlight.decrementAndGet();
    totals.released(tokens);
  }
}

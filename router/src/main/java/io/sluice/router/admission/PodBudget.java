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
  private final PoolTotals totals;
  private volatile boolean accepting = true;
  private volatile boolean ejected;

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

  void prefillDone(long tokens) {
    pendingPrefill.addAndGet(-tokens);
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
        inFlight.incrementAndGet();
        totals.reserved(tokens);
        pendingPrefill.addAndGet(prompt);
        return Optional.of(new Reservation(this, tokens, prompt));
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
    pendingPrefill.addAndGet(prompt);
    return new Reservation(this, tokens, prompt);
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

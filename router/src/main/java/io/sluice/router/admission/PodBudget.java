package io.sluice.router.admission;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pod's token budget and what is reserved against it.
 *
 * <p>Concurrency: {@code reserved} moves by compare-and-set ({@link #tryReserve}) or by plain
 * atomic adds (growth and release, which must never fail). {@code budget} may change at any time
 * (config edits, the engine reporting its KV size); reservations already made stay valid, so after
 * a shrink {@code reserved} may exceed {@code budget} until requests finish. No lock anywhere.
 */
public final class PodBudget {
  private final String podId;
  private final AtomicLong budget;
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong overrunTokens = new AtomicLong();
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
  }

  void setEjected(boolean ejected) {
    this.ejected = ejected;
  }

  void stopAccepting() {
    accepting = false;
  }

  /** Reserves {@code tokens} if they fit in the budget; refusal is an empty result. */
  Optional<Reservation> tryReserve(long tokens) {
    if (!accepting()) {
      return Optional.empty();
    }
    while (true) {
      long current = reserved.get();
      if (current + tokens > budget.get()) {
        return Optional.empty();
      }
      if (reserved.compareAndSet(current, current + tokens)) {
        inFlight.incrementAndGet();
        totals.reserved(tokens);
        return Optional.of(new Reservation(this, tokens));
      }
    }
  }

  /** Reserves whether or not it fits: observe mode keeps the books without enforcing them. */
  Reservation forceReserve(long tokens) {
    reserved.addAndGet(tokens);
    inFlight.incrementAndGet();
    totals.reserved(tokens);
    return new Reservation(this, tokens);
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

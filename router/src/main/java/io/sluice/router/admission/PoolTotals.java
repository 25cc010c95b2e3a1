package io.sluice.router.admission;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool's running totals, moved with every reservation so that reading them is O(1) and never
 * walks pods or requests. Releases also wake the pool's dispatcher.
 */
final class PoolTotals {
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong overrun = new AtomicLong();
  private final AdmissionController owner;

  PoolTotals(AdmissionController owner) {
    this.owner = owner;
  }

  void reserved(long tokens) {
    reserved.addAndGet(tokens);
    inFlight.incrementAndGet();
  }

  void grown(long tokens) {
    reserved.addAndGet(tokens);
    overrun.addAndGet(tokens);
  }

  void released(long tokens) {
    reserved.addAndGet(-tokens);
    inFlight.decrementAndGet();
    owner.capacityFreed(tokens);
  }

  /** The pool's clock (nanoseconds), for the pods' prefill rates. */
  long now() {
    return owner.now();
  }

  long reservedTokens() {
    return reserved.get();
  }

  int inFlight() {
    return inFlight.get();
  }

  long overrunTokens() {
    return overrun.get();
  }
}

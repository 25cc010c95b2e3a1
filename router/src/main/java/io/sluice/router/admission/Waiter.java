package io.sluice.router.admission;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A request waiting for budget. Created by {@link AdmissionController#admit}; the holder may
 * {@link #cancel()} it (client gone) at any time.
 *
 * <p>Concurrency: a small state machine, {@code WAITING -> ADMITTED | EXPIRED | CANCELLED}, moved
 * by compare-and-set so that exactly one ending wins. The dispatcher reserves first and then tries
 * {@code WAITING -> ADMITTED}; if a cancel won, it releases the reservation at once.
 */
public final class Waiter {
  static final int WAITING = 0;
  static final int ADMITTED = 1;
  static final int EXPIRED = 2;
  static final int CANCELLED = 3;

  final long sequence;
  final AdmissionRequest request;
  final long enqueuedAt;
  /** Time-invariant order key: {@code priority - boost * enqueuedSeconds}; larger goes first. */
  final double key;
  final AdmissionCallback callback;
  private final AtomicInteger state = new AtomicInteger(WAITING);
  private final AdmissionController owner;

  Waiter(AdmissionController owner, long sequence, AdmissionRequest request, long enqueuedAt, double key,
      AdmissionCallback callback) {
    this.owner = owner;
    this.sequence = sequence;
    this.request = request;
    this.enqueuedAt = enqueuedAt;
    this.key = key;
    this.callback = callback;
  }

  boolean moveTo(int next) {
    return state.compareAndSet(WAITING, next);
  }

  boolean waiting() {
    return state.get() == WAITING;
  }

  /** Leaves the queue (the client went away). True if it was still waiting. */
  public boolean cancel() {
    if (!moveTo(CANCELLED)) {
      return false;
    }
    owner.removeCancelled(this);
    return true;
  }
}

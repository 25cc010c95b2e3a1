package io.sluice.router.admission;

/**
 * How a queued request learns its fate. Exactly one method is called, once, from whichever thread
 * freed the capacity or ran the timer: implementations must return quickly and hand real work to
 * their own thread (the proxy hops back to the request's event loop).
 */
public interface AdmissionCallback {
  /** Budget was reserved; the callee now owns {@code reservation} and must release it. */
  void admitted(Reservation reservation, long waitedNanos);

  /** The request waited past the pool's max wait. */
  void expired(long waitedNanos);
}

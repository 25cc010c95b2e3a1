package io.sluice.router.coordination;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Coalesces asks for a run that ends asynchronously (a round of ledger calls ends when their
 * replies arrive): at most one run at a time, and any number of asks during a run make exactly one
 * more run after it, so no ask is lost and none costs a run of its own.
 *
 * <pre>
 *   IDLE --request: the asker starts the run--> RUNNING --runAgain: done--> IDLE
 *                                                  |  ^
 *                                 request meanwhile|  |runAgain: the runner runs once more
 *                                                  v  |
 *                                                 AGAIN
 * </pre>
 *
 * <p>The admission dispatcher's {@code io.sluice.router.admission.Coalescer} coalesces the same way
 * but is a different protocol: its run is synchronous and needs a lock that other threads hold for
 * their own moves, so an ask may find nobody able to run it ({@code REQUIRED} without a runner,
 * picked up by whoever next wins the lock). Here starting a run is claiming it, and a run ends on
 * whatever thread delivers its last reply.
 */
final class AsyncCoalescer {
  enum State { IDLE, RUNNING, AGAIN }

  /*
   * Concurrency: askers only ever move IDLE -> RUNNING (and then own the start of the run) or
   * RUNNING -> AGAIN; only the runner leaves RUNNING or AGAIN. So the runner's RUNNING -> IDLE
   * fails only when an ask came meanwhile, and then the state is AGAIN until the runner moves it.
   */
  private final AtomicReference<State> state = new AtomicReference<>(State.IDLE);

  /** Asks for a run: true when the caller must start one (the state is now RUNNING), false when one is running or due. */
  boolean request() {
    while (true) {
      State now = state.get();
      switch (now) {
        case IDLE:
          if (state.compareAndSet(State.IDLE, State.RUNNING)) {
            return true;
          }
          break;
        case RUNNING:
          if (state.compareAndSet(State.RUNNING, State.AGAIN)) {
            return false;
          }
          break;
        case AGAIN:
          return false;
        default:
          throw new IllegalStateException("coalescer state " + now);
      }
    }
  }

  /**
   * Called by the runner at the end of a run: true when an ask came during it (the state is
   * RUNNING again and the caller runs once more), false when the state is now IDLE.
   */
  boolean runAgain() {
    if (state.compareAndSet(State.RUNNING, State.IDLE)) {
      return false;
    }
    if (state.compareAndSet(State.AGAIN, State.RUNNING)) {
      return true;
    }
    throw new IllegalStateException("coalescer state " + state.get() + " at the end of a run: only the runner leaves it");
  }

  /** Back to IDLE, dropping any ask made meanwhile: the run could not start, or its subject is gone. */
  void reset() {
    state.set(State.IDLE);
  }

  State state() {
    return state.get();
  }
}

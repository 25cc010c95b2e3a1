package io.sluice.router.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Runs a task under a lock on whichever thread asks for it, coalescing the asks: a request made
 * while the task runs makes the running thread go round once more instead of waiting for the lock,
 * so no ask is lost and no thread ever blocks to dispatch. Three named states, as Caffeine's
 * drain status:
 *
 * <pre>
 *   IDLE --request--> REQUIRED --tryLock won--> PROCESSING --done--> IDLE
 *                                                   \--request during the run--> REQUIRED (run again)
 * </pre>
 *
 * The task collects callbacks to run once the lock is released (never run a callback under it).
 */
final class Coalescer {
  enum State { IDLE, REQUIRED, PROCESSING }

  private final AtomicReference<State> state = new AtomicReference<>(State.IDLE);
  private final ReentrantLock lock;
  private final Consumer<List<Runnable>> task;

  /**
   * @param lock the lock the task runs under (others may hold it for their own short moves)
   * @param task the work, run with the lock held; adds what must run after the lock to its argument
   */
  Coalescer(ReentrantLock lock, Consumer<List<Runnable>> task) {
    this.lock = lock;
    this.task = task;
  }

  /** Runs the task now, or makes sure the thread running it (or holding the lock) runs it again. */
  void request() {
    state.set(State.REQUIRED);
    if (lock.isHeldByCurrentThread()) {
      return; // the running loop, or the holder's next request, sees REQUIRED and goes round again
    }
    while (state.get() == State.REQUIRED && lock.tryLock()) {
      List<Runnable> after = new ArrayList<>();
      try {
        do {
          state.set(State.PROCESSING);
          task.accept(after);
        } while (!finished());
      } finally {
        lock.unlock();
      }
      after.forEach(Runnable::run);
    }
  }

  /** After one run: true (now IDLE) unless a request came meanwhile. */
  private boolean finished() {
    State now = state.get();
    switch (now) {
      case PROCESSING:
        return state.compareAndSet(State.PROCESSING, State.IDLE);
      case REQUIRED:
        return false;
      case IDLE:
      default:
        throw new IllegalStateException("dispatch state " + now + " at the end of a run: only the runner leaves PROCESSING");
    }
  }

  State state() {
    return state.get();
  }
}

package io.sluice.sim.replay;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Sends arrivals at their scheduled times on one thread, never waiting on a response: the send
 * action must only start a request. A send that is late (the pacer fell behind) goes at once and
 * keeps its scheduled time, so latency measured from that time includes the lag.
 */
public final class OpenLoopPacer {

  /** Blocks the calling thread until a time of the pacer's clock. */
  @FunctionalInterface
  public interface Sleeper {
    void sleepUntil(long nanos) throws InterruptedException;
  }

  /** Starts one request; must not block on its response. */
  @FunctionalInterface
  public interface Sender {
    void send(Arrival arrival, long scheduledNanos);
  }

  private final LongSupplier clock;
  private final Sleeper sleeper;

  public OpenLoopPacer(LongSupplier clock, Sleeper sleeper) {
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** A pacer on {@link System#nanoTime()} that parks until each arrival. */
  public static OpenLoopPacer wallClock() {
    return new OpenLoopPacer(System::nanoTime, until -> {
      long left;
      while ((left = until - System.nanoTime()) > 0) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        LockSupport.parkNanos(left);
      }
    });
  }

  /**
   * Sends every arrival at {@code startNanos + offset}.
   *
   * @return how many were sent (fewer only when interrupted)
   */
  public int run(List<Arrival> arrivals, long startNanos, Sender sender) {
    int sent = 0;
    for (Arrival arrival : arrivals) {
      long at = startNanos + arrival.offsetNanos();
      if (clock.getAsLong() < at) {
        try {
          sleeper.sleepUntil(at);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return sent;
        }
      }
      sender.send(arrival, at);
      sent++;
    }
    return sent;
  }
}

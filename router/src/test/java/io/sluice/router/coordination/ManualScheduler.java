package io.sluice.router.coordination;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * A scheduler on virtual time: nothing runs until the test calls {@link #runDue} or
 * {@link #advance}, and then tasks run on the test's thread, one at a time, in the order they are
 * due (ties in the order given), as on a single-threaded scheduler. Its clock is {@link #nanoTime}.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final PriorityQueue<Task> tasks = new PriorityQueue<>(
      Comparator.comparingLong((Task task) -> task.due).thenComparingLong(task -> task.order));
  private long now = 1_000_000_000L;
  private long sequence;
  private boolean shutdown;
  private final List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();

  private final class Task implements ScheduledFuture<Object> {
    final Callable<?> body;
    final long periodNanos; // 0: once; above 0: again after each run
    final boolean fixedRate; // the next run is due a period after this one was due, not after it ran
    final long order = sequence++;
    long due;
    final CompletableFuture<Object> outcome = new CompletableFuture<>();

    Task(Callable<?> body, long due, long periodNanos, boolean fixedRate) {
      this.body = body;
      this.due = due;
      this.periodNanos = periodNanos;
      this.fixedRate = fixedRate;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterrupt) {
      synchronized (ManualScheduler.this) {
        tasks.remove(this);
      }
      return outcome.cancel(mayInterrupt);
    }

    @Override
    public boolean isCancelled() {
      return outcome.isCancelled();
    }

    @Override
    public boolean isDone() {
      return outcome.isDone();
    }

    @Override
    public Object get() throws InterruptedException, ExecutionException {
      return outcome.get();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
      return outcome.get(timeout, unit);
    }
  }

  /** The virtual clock, in nanoseconds. */
  synchronized long nanoTime() {
    return now;
  }

  LongSupplier clock() {
    return this::nanoTime;
  }

  /** Runs every task due now, and those they make due now, in order. Returns how many ran. */
  int runDue() {
    int ran = 0;
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due > now || shutdown) {
          return ran;
        }
        tasks.poll();
      }
      ran++;
      try {
        Object value = next.body.call();
        if (next.periodNanos > 0) {
          synchronized (this) {
            next.due = (next.fixedRate ? next.due : now) + next.periodNanos;
            tasks.add(next);
          }
        } else {
          next.outcome.complete(value);
        }
      } catch (Exception | Error e) {
        thrown.add(e);
        next.outcome.completeExceptionally(e);
      }
    }
  }

  /** Moves the clock on in steps of at most a millisecond, running what falls due on the way. */
  void advance(Duration duration) {
    long end = nanoTime() + duration.toNanos();
    runDue();
    while (nanoTime() < end) {
      synchronized (this) {
        now = Math.min(end, now + 1_000_000L);
      }
      runDue();
    }
  }

  /** What tasks threw (a real scheduler would swallow it): a test asserts there is nothing. */
  List<Throwable> thrown() {
    return List.copyOf(thrown);
  }

  /** Tasks waiting, due or not; periodic ones count once. */
  synchronized int pending() {
    return tasks.size();
  }

  private synchronized Task add(Callable<?> body, long delayNanos, long periodNanos, boolean fixedRate) {
    if (shutdown) {
      throw new RejectedExecutionException("shut down");
    }
    Task task = new Task(body, now + Math.max(0, delayNanos), periodNanos, fixedRate);
    tasks.add(task);
    return task;
  }

  @Override
  public void execute(Runnable command) {
    add(Executors.callable(command), 0, 0, false);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(Executors.callable(command), unit.toNanos(delay), 0, false);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return (ScheduledFuture<V>) (ScheduledFuture<?>) add(callable, unit.toNanos(delay), 0, false);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return add(Executors.callable(command), unit.toNanos(initialDelay), unit.toNanos(delay), false);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    return add(Executors.callable(command), unit.toNanos(initialDelay), unit.toNanos(period), true);
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>();
    tasks.forEach(task -> left.add(() -> {
      try {
        task.body.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }));
    tasks.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }
}

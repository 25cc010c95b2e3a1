package io.sluice.router.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * What the admin page ({@code /ui}) shows beyond the live getters of the core: per-second counts of
 * the last {@link #SECONDS} seconds (admission outcomes, SLO outcomes, estimated and actual tokens)
 * and the last {@link #DECISIONS} admission decisions. Bounded: series are keyed by configured
 * names and fixed labels only, each a fixed ring; decisions hold ids, classes and numbers, never
 * prompts or keys.
 *
 * <p>Concurrency: lock-free. A slot of a ring belongs to one second; the first writer of a new
 * second claims the slot's stamp with a compare-and-set and zeroes it (a count racing that reset
 * may be lost: this is a view, not an account; Prometheus counters stay exact).
 */
public final class LiveView {
  public static final int SECONDS = 300;
  public static final int DECISIONS = 50;

  /** A series: pool, a group ({@code outcome}, {@code slo}, {@code tokens}) and a label value. */
  public record Key(String pool, String group, String label) {}

  /** One admission decision as the page lists it. {@code pod} is null when none was chosen. */
  public record Entry(long epochMillis, String requestId, String pool, String trafficClass, String outcome,
      long estimatedTokens, long promptTokens, long predictedTtftMillis, String pod, String[] scorerTypes,
      double[] scores) {}

  private static final class Ring {
    final AtomicLongArray stamps = new AtomicLongArray(SECONDS);
    final AtomicLongArray counts = new AtomicLongArray(SECONDS);

    {
      for (int i = 0; i < SECONDS; i++) {
        stamps.set(i, -1);
      }
    }

    void add(long second, long n) {
      int slot = (int) (second % SECONDS);
      long stamp = stamps.get(slot);
      if (stamp != second && stamps.compareAndSet(slot, stamp, second)) {
        counts.set(slot, 0);
      }
      counts.addAndGet(slot, n);
    }

    long at(long second) {
      int slot = (int) (second % SECONDS);
      return stamps.get(slot) == second ? counts.get(slot) : 0;
    }
  }

  private final LongSupplier clockMillis;
  private final Map<Key, Ring> series = new ConcurrentHashMap<>();
  private final AtomicReferenceArray<Entry> decisions = new AtomicReferenceArray<>(DECISIONS);
  private final AtomicLong written = new AtomicLong();

  public LiveView(LongSupplier clockMillis) {
    this.clockMillis = clockMillis;
  }

  /** Adds {@code n} to a series in the current second. */
  public void count(String pool, String group, String label, long n) {
    series.computeIfAbsent(new Key(pool, group, label), key -> new Ring()).add(clockMillis.getAsLong() / 1000, n);
  }

  /** Records a decision; {@code scorerTypes} and {@code scores} (the chosen pod's, aligned) may be null. */
  public void decided(String requestId, String pool, String trafficClass, String outcome, long estimatedTokens,
      long promptTokens, long predictedTtftMillis, String pod, String[] scorerTypes, double[] scores) {
    long n = written.getAndIncrement();
    decisions.set((int) (n % DECISIONS), new Entry(clockMillis.getAsLong(), requestId, pool, trafficClass, outcome,
        estimatedTokens, promptTokens, predictedTtftMillis, pod, scorerTypes, scores));
  }

  /** Decisions recorded so far, in total (the page shows the last {@link #DECISIONS}). */
  public long decisionCount() {
    return written.get();
  }

  /** The last decisions, newest first. */
  public List<Entry> lastDecisions() {
    long n = written.get();
    List<Entry> out = new ArrayList<>(DECISIONS);
    for (long i = n - 1; i >= Math.max(0, n - DECISIONS); i--) {
      Entry entry = decisions.get((int) (i % DECISIONS));
      if (entry != null) {
        out.add(entry);
      }
    }
    return out;
  }

  /** Every series with its counts for the last {@code seconds} full seconds, oldest first. */
  public Map<Key, long[]> lastSeconds(int seconds) {
    int span = Math.min(seconds, SECONDS - 1);
    long now = clockMillis.getAsLong() / 1000;
    Map<Key, long[]> out = new java.util.LinkedHashMap<>();
    series.forEach((key, ring) -> {
      long[] values = new long[span];
      for (int i = 0; i < span; i++) {
        values[i] = ring.at(now - span + i);
      }
      out.put(key, values);
    });
    return out;
  }

  /** Drops a pool's series (the pool left). */
  public void forget(String pool) {
    series.keySet().removeIf(key -> key.pool().equals(pool));
  }
}

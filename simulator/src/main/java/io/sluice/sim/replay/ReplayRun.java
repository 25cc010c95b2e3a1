package io.sluice.sim.replay;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Runs a load against targets and collects what the client saw. Open loop: arrivals at their
 * scheduled times whatever the responses do. Closed loop (for saturation): a fixed number of
 * requests in flight, the next sent when one ends. Both are bounded: sending stops at the end of
 * the schedule (or the duration), and requests still unanswered after the drain timeout are
 * counted as failed (status 0) and abandoned.
 */
public final class ReplayRun {

  /**
   * @param maxConnectionsPerTarget pooled connections per target host (requests beyond it wait in the client)
   * @param drainTimeout            how long to wait for answers after the last send
   * @param idleTimeoutMs           longest silence on one response before it fails
   */
  public record Settings(Targets targets, RequestShape shape, Slo slo, int maxConnectionsPerTarget,
                         Duration drainTimeout, long idleTimeoutMs) {
  }

  /** Every request's result (in index order) and the summary. */
  public record Outcome(List<RequestResult> results, ReplaySummary summary) {
  }

  private ReplayRun() {
  }

  /** Sends {@code arrivals} at their offsets from now; blocks until done or the drain timeout. */
  public static Outcome openLoop(Vertx vertx, Settings settings, List<Arrival> arrivals) throws InterruptedException {
    Collector collector = new Collector(vertx, settings);
    long start = System.nanoTime();
    OpenLoopPacer.wallClock().run(arrivals, start,
        (arrival, at) -> collector.client.send(arrival, at, settings.targets().next(), collector::add));
    collector.awaitCount(arrivals.size(), settings.drainTimeout());
    return collector.finish(arrivals, start);
  }

  /**
   * Keeps {@code concurrency} requests of {@code template}'s shape in flight for {@code duration}
   * or {@code maxRequests} requests, whichever ends first.
   */
  public static Outcome closedLoop(Vertx vertx, Settings settings, Arrival template, int concurrency,
                                   Duration duration, int maxRequests) throws InterruptedException {
    Collector collector = new Collector(vertx, settings);
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    AtomicInteger issued = new AtomicInteger();
    List<Arrival> sent = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger workers = new AtomicInteger(concurrency);
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      int index = issued.getAndIncrement();
      if (index >= maxRequests || System.nanoTime() >= deadline) {
        if (workers.decrementAndGet() == 0) {
          stopped.complete(null);
        }
        return;
      }
      Arrival arrival = new Arrival(index, System.nanoTime() - start, template.promptTokens(), template.outputTokens());
      sent.add(arrival);
      collector.client.send(arrival, start + arrival.offsetNanos(), settings.targets().next(), result -> {
        collector.add(result);
        next[0].run();
      });
    };
    for (int i = 0; i < concurrency; i++) {
      next[0].run();
    }
    try {
      stopped.get(duration.toNanos() + settings.drainTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // fall through: unanswered requests are counted as failed below
    }
    issued.set(Integer.MAX_VALUE / 2); // workers whose answers come after this point stop
    List<Arrival> all;
    synchronized (sent) {
      all = new ArrayList<>(sent);
    }
    return collector.finish(all, start);
  }

  /** Results by index, the inter-token recorder and the client, for one run. */
  private static final class Collector {
    private final Settings settings;
    private final Map<Integer, RequestResult> results = new ConcurrentHashMap<>();
    private final Recorder itl = new Recorder(3);
    private final AtomicLong lastEnd = new AtomicLong();
    private final ReplayClient client;

    Collector(Vertx vertx, Settings settings) {
      this.settings = settings;
      this.client = new ReplayClient(vertx, settings.shape(), settings.maxConnectionsPerTarget(),
          settings.idleTimeoutMs(), itl);
    }

    void add(RequestResult result) {
      results.putIfAbsent(result.index(), result);
      lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
      synchronized (this) {
        notifyAll();
      }
    }

    synchronized void awaitCount(int count, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      long left;
      while (results.size() < count && (left = deadline - System.nanoTime()) > 0) {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    Outcome finish(List<Arrival> arrivals, long start) {
      long end = lastEnd.get() == 0 ? System.nanoTime() : lastEnd.get();
      for (Arrival a : arrivals) {
        results.putIfAbsent(a.index(), new RequestResult(a.index(), "", a.promptTokens(), a.outputTokens(),
            settings.shape().stream(), 0, "unanswered after the drain timeout", 0, -1, -1, 0, 0));
      }
      client.close();
      List<RequestResult> ordered = new ArrayList<>(results.values());
      ordered.sort(Comparator.comparingInt(RequestResult::index));
      double seconds = (end - start) / 1e9;
      return new Outcome(ordered, ReplaySummary.of(ordered, itl.getIntervalHistogram(), seconds, settings.slo()));
    }
  }
}

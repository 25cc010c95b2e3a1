package io.sluice.sim.bench;

import io.sluice.router.runtime.PrometheusText;
import io.sluice.sim.replay.Arrival;
import io.sluice.sim.replay.ArrivalSchedule;
import io.sluice.sim.replay.Durations;
import io.sluice.sim.replay.LatencyStats;
import io.sluice.sim.replay.OpenLoopPacer;
import io.sluice.sim.replay.ReplayClient;
import io.sluice.sim.replay.ReplayRun;
import io.sluice.sim.replay.ReplaySummary;
import io.sluice.sim.replay.RequestResult;
import io.sluice.sim.replay.RequestShape;
import io.sluice.sim.replay.Slo;
import io.sluice.sim.replay.Targets;
import io.sluice.sim.replay.TraceReader;
import io.sluice.sim.replay.TraceRecord;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench soak}: the router as a child process (the way operators run it) in front of
 * emulated engines in this process; the trace replayed open loop at a fraction of the measured
 * capacity for a long time. Every window it prints the router's heap after a forced full GC (jcmd
 * GC.run, then its /metrics), reserved tokens per pod, queue depth, and TTFT / E2E percentiles of
 * the requests that ended in the window; at the end, whether those stayed flat.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "Long open-loop trace replay through the router; prints heap, reservations, queue and latency per window.")
public final class SoakCommand implements Callable<Integer> {
  @Mixin
  TraceOnEnginesOptions fleet = new TraceOnEnginesOptions(24000);
  @Option(names = "--duration", defaultValue = "10m", description = "Sending time (default: ${DEFAULT-VALUE}).")
  String duration;
  @Option(names = "--load", defaultValue = "0.8", description = "Fraction of the capacity to send (default: ${DEFAULT-VALUE}).")
  double load;
  @Option(names = "--capacity", description = "Capacity in requests per second; default: measured first with a closed loop.")
  Double capacity;
  @Option(names = "--calibration-requests", defaultValue = "0",
      description = "Requests sent at once to measure the capacity (default: 40 per engine).")
  int calibrationRequests;
  @Option(names = "--window", defaultValue = "30s", description = "Reporting window (default: ${DEFAULT-VALUE}).")
  String window;
  @Option(names = "--router-settings", defaultValue = "",
      description = "Extra RouterSettings fields, e.g. 'idleTimeout: 30s' (comma-separated).")
  String routerSettings;
  @Option(names = "--out", defaultValue = "target/soak", description = "Directory for the router's config and log (default: ${DEFAULT-VALUE}).")
  Path out;

  /** One window's figures. */
  record Row(double minute, double heapMiB, Map<String, Long> reserved, long queued, long inFlight, int ended,
             int failed, LatencyStats ttft, LatencyStats e2e) {
  }

  @Override
  public Integer call() throws Exception {
    List<TraceRecord> records = TraceReader.read(fleet.trace);
    Duration sending = Durations.parse(duration);
    Duration step = Durations.parse(window);
    Files.createDirectories(out);
    Vertx client = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try (EngineCluster cluster = fleet.startEngines();
         SluiceProxy router = SluiceProxy.start(out, cluster.urls(), fleet.model, "  queue: {maxWait: 300s}\n", false, 2,
             routerSettings.isBlank() ? "" : "  " + String.join("\n  ", routerSettings.split("\\s*,\\s*")) + "\n")) {
      RequestShape shape = new RequestShape(fleet.model, true, RequestShape.FROM_TRACE);
      ReplayRun.Settings settings = new ReplayRun.Settings(Targets.of(router.targets()), shape, new Slo(1e9, 1e9),
          4096, Durations.parse("120s"), 120_000);
      double rps = capacity != null ? capacity : measureCapacity(client, settings, records);
      double rate = rps * load;
      List<Arrival> arrivals = ArrivalSchedule.build(records, OptionalDouble.of(rate), sending.toNanos(), 10_000_000);
      System.out.printf(Locale.ROOT, "soak: %d engines (%d KV tokens, time scale %.1f), router pid %d; capacity %.2f req/s, "
              + "sending %.2f req/s (%.0f%%) for %s: %d requests; window %s%n",
          fleet.engines, fleet.kvTokens, fleet.timeScale, router.pid(), rps, rate, load * 100, duration, arrivals.size(), window);
      List<Row> rows = run(client, router, settings, arrivals, step);
      long preemptions = cluster.preemptions();
      Row last = rows.get(rows.size() - 1);
      System.out.println();
      System.out.println(table(rows));
      System.out.println(verdict(rows, preemptions));
      boolean drained = last.queued() == 0 && last.inFlight() == 0
          && last.reserved().values().stream().allMatch(v -> v == 0);
      return drained ? 0 : 1;
    } finally {
      client.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * The trace's first requests all sent at once: the router queues what does not fit and the
   * engines work through the real mix of sizes at full load; capacity = completions / time to
   * the last one (a little low, as the last requests run on a draining cluster).
   */
  private double measureCapacity(Vertx client, ReplayRun.Settings settings, List<TraceRecord> records)
      throws InterruptedException {
    int count = Math.min(records.size(), calibrationRequests > 0 ? calibrationRequests : fleet.engines * 40);
    List<Arrival> burst = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      burst.add(new Arrival(i, 0, records.get(i).promptTokens(), records.get(i).outputTokens()));
    }
    System.out.printf(Locale.ROOT, "measuring capacity: the trace's first %d requests at once ...%n", count);
    ReplayRun.Outcome outcome = ReplayRun.openLoop(client, settings, burst);
    ReplaySummary summary = outcome.summary();
    System.out.printf(Locale.ROOT, "capacity: %d of %d completed in %.1f s%n", summary.ok(), count, summary.seconds());
    return summary.ok() / summary.seconds();
  }

  private List<Row> run(Vertx vertx, SluiceProxy router, ReplayRun.Settings settings, List<Arrival> arrivals,
                        Duration step) throws Exception {
    ConcurrentLinkedQueue<RequestResult> ended = new ConcurrentLinkedQueue<>();
    AtomicInteger answered = new AtomicInteger();
    ReplayClient replay = new ReplayClient(vertx, settings.shape(), settings.maxConnectionsPerTarget(),
        settings.idleTimeoutMs(), new Recorder(3));
    URI target = settings.targets().next();
    long start = System.nanoTime();
    Thread pacer = new Thread(() -> OpenLoopPacer.wallClock().run(arrivals, start,
        (arrival, at) -> replay.send(arrival, at, target, result -> {
          ended.add(result);
          answered.incrementAndGet();
        })), "soak-pacer");
    pacer.setDaemon(true);
    pacer.start();
    Metrics metrics = new Metrics(router.adminPort(), router.pid());
    System.out.println(header());
    List<Row> rows = new ArrayList<>();
    long next = start + step.toNanos();
    long drainDeadline = Long.MAX_VALUE;
    while (true) {
      long now = System.nanoTime();
      if (next > now) {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(next - now) + 1);
      }
      next += step.toNanos();
      boolean done = !pacer.isAlive() && answered.get() >= arrivals.size();
      if (!pacer.isAlive() && drainDeadline == Long.MAX_VALUE) {
        drainDeadline = System.nanoTime() + settings.drainTimeout().toNanos();
      }
      if (done || System.nanoTime() > drainDeadline) {
        // let the router release the last reservations as the responses end
        Thread.sleep(500);
      }
      Row row = window(metrics, ended, (System.nanoTime() - start) / 60e9);
      rows.add(row);
      System.out.println(format(row));
      if (done || System.nanoTime() > drainDeadline) {
        break;
      }
    }
    replay.close();
    return rows;
  }

  private static Row window(Metrics metrics, ConcurrentLinkedQueue<RequestResult> ended, double minute)
      throws IOException, InterruptedException {
    Histogram ttft = LatencyStats.newHistogram();
    Histogram e2e = LatencyStats.newHistogram();
    int count = 0;
    int failed = 0;
    RequestResult r;
    while ((r = ended.poll()) != null) {
      count++;
      if (!r.ok()) {
        failed++;
        continue;
      }
      if (r.ttftNanos() >= 0) {
        ttft.recordValue(Math.min(ttft.getHighestTrackableValue(), r.ttftNanos() / 1000));
      }
      e2e.recordValue(Math.min(e2e.getHighestTrackableValue(), r.e2eNanos() / 1000));
    }
    double heap = metrics.heapAfterGc() / (1024.0 * 1024);
    String page = metrics.page();
    return new Row(minute, heap, Metrics.byLabel(page, "sluice_pod_reserved_tokens", "pod"),
        Metrics.sum(page, "sluice_queue_requests", "class", "all"),
        Metrics.sum(page, "sluice_pod_inflight_requests"), count, failed, LatencyStats.of(ttft),
        LatencyStats.of(e2e));
  }

  private static String header() {
    return String.format(Locale.ROOT, "%7s %10s %8s %8s %6s %6s %9s %9s %9s %9s  %s", "minute", "heap MiB", "queued",
        "inflight", "ended", "failed", "TTFT p50", "TTFT p99", "E2E p50", "E2E p99", "reserved tokens per pod");
  }

  private static String format(Row row) {
    return String.format(Locale.ROOT, "%7.1f %10.1f %8d %8d %6d %6d %9.0f %9.0f %9.0f %9.0f  %s", row.minute(),
        row.heapMiB(), row.queued(), row.inFlight(), row.ended(), row.failed(), row.ttft().p50(), row.ttft().p99(),
        row.e2e().p50(), row.e2e().p99(), row.reserved().values());
  }

  private static String table(List<Row> rows) {
    MarkdownTable table = new MarkdownTable("minute", "heap after GC (MiB)", "queued", "in flight", "ended",
        "failed", "TTFT p50 ms", "TTFT p99 ms", "E2E p50 ms", "E2E p99 ms", "reserved tokens per pod");
    for (Row row : rows) {
      table.row(String.format(Locale.ROOT, "%.1f", row.minute()), String.format(Locale.ROOT, "%.1f", row.heapMiB()),
          row.queued(), row.inFlight(), row.ended(), row.failed(), Math.round(row.ttft().p50()),
          Math.round(row.ttft().p99()), Math.round(row.e2e().p50()), Math.round(row.e2e().p99()),
          row.reserved().values().toString());
    }
    return table.toString();
  }

  /**
   * Least-squares slopes of heap after GC (MiB per minute) and of the p99 latencies (percent of
   * their mean per minute), over the second half of the sending windows: the first half is
   * warm-up (JIT, pools, and state the router keeps for a while after each request). Flat means
   * the heap moved by at most 8 MiB or 10% over that half, and no p99 grew by more than 25% (E2E)
   * or 50% (TTFT) over it. The whole-run heap slope is printed too.
   */
  static String verdict(List<Row> rows, long preemptions) {
    List<Row> sending = rows.size() > 2 ? rows.subList(0, rows.size() - 1) : rows; // the last window is the drain
    List<Row> steady = sending.subList(sending.size() / 2, sending.size());
    double heapSlope = slope(steady, Row::heapMiB);
    double heapMean = steady.stream().mapToDouble(Row::heapMiB).average().orElse(0);
    double e2eSlope = relativeSlope(steady, row -> row.e2e().p99());
    double ttftSlope = relativeSlope(steady, row -> row.ttft().p99());
    double minutes = steady.get(steady.size() - 1).minute() - steady.get(0).minute();
    boolean heapFlat = Math.abs(heapSlope * minutes) <= Math.max(8, 0.1 * heapMean);
    boolean latencyFlat = e2eSlope * minutes <= 25 && ttftSlope * minutes <= 50;
    Row last = rows.get(rows.size() - 1);
    boolean drained = last.queued() == 0 && last.inFlight() == 0 && last.reserved().values().stream().allMatch(v -> v == 0);
    int failed = rows.stream().mapToInt(Row::failed).sum();
    int ended = rows.stream().mapToInt(Row::ended).sum();
    return String.format(Locale.ROOT, "verdict over the second half (minutes %.1f to %.1f): heap after GC %s "
        + "(slope %+.2f MiB/min, mean %.1f MiB; whole run %+.2f MiB/min); latency %s (E2E p99 slope %+.2f%%/min, "
        + "TTFT p99 %+.2f%%/min of their means); after the drain: queue %d, in flight %d, reserved %s (%s); "
        + "%d requests ended, %d failed; engine preemptions %d",
        steady.get(0).minute(), steady.get(steady.size() - 1).minute(), heapFlat ? "flat" : "NOT flat", heapSlope,
        heapMean, slope(sending, Row::heapMiB), latencyFlat ? "flat" : "GROWING", e2eSlope, ttftSlope, last.queued(),
        last.inFlight(), last.reserved().values(), drained ? "all zero" : "NOT zero", ended, failed, preemptions);
  }

  private static double slope(List<Row> rows, java.util.function.ToDoubleFunction<Row> y) {
    double n = rows.size();
    double mx = rows.stream().mapToDouble(Row::minute).average().orElse(0);
    double my = rows.stream().mapToDouble(y).filter(v -> !Double.isNaN(v)).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    for (Row row : rows) {
      double v = y.applyAsDouble(row);
      if (Double.isNaN(v)) {
        continue;
      }
      sxy += (row.minute() - mx) * (v - my);
      sxx += (row.minute() - mx) * (row.minute() - mx);
    }
    return n < 2 || sxx == 0 ? 0 : sxy / sxx;
  }

  private static double relativeSlope(List<Row> rows, java.util.function.ToDoubleFunction<Row> y) {
    double mean = rows.stream().mapToDouble(y).filter(v -> !Double.isNaN(v)).average().orElse(0);
    return mean == 0 ? 0 : 100 * slope(rows, y) / mean;
  }

  /** The router's metrics page, and its heap after a full GC forced with jcmd. */
  static final class Metrics {
    // HTTP/1.1: the default (an h2c upgrade attempt) once hung here with its timeout never firing.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI uri;
    private final long pid;

    Metrics(int adminPort, long pid) {
      this.uri = URI.create("http://127.0.0.1:" + adminPort + "/metrics");
      this.pid = pid;
    }

    String page() throws IOException, InterruptedException {
      try {
        return http.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString()).get(20, TimeUnit.SECONDS).body();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IOException("cannot read " + uri + ": " + e, e);
      }
    }

    /** Bytes of heap in use right after {@code jcmd PID GC.run} (a full, blocking collection). */
    long heapAfterGc() throws IOException, InterruptedException {
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!gc.waitFor(30, TimeUnit.SECONDS) || gc.exitValue() != 0) {
        throw new IOException("jcmd " + pid + " GC.run failed");
      }
      return sum(page(), "jvm_memory_used_bytes", "area", "heap");
    }

    /** The sum of every sample of a metric that carries the given label pairs. */
    static long sum(String page, String name, String... labelPairs) {
      return Math.round(PrometheusText.parse(page).sum(name, labelPairs));
    }

    /** Samples of a metric by the value of one label ("" where a sample lacks it). */
    static Map<String, Long> byLabel(String page, String name, String label) {
      Map<String, Long> out = new TreeMap<>();
      for (PrometheusText.Sample s : PrometheusText.parse(page).samples(name)) {
        String key = s.label(label);
        out.merge(key == null ? "" : key, Math.round(s.value()), Long::sum);
      }
      return out;
    }
  }
}

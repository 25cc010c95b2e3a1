package io.sluice.sim.bench;

import io.sluice.sim.replay.Arrival;
import io.sluice.sim.replay.ArrivalSchedule;
import io.sluice.sim.replay.Durations;
import io.sluice.sim.replay.ReplayRun;
import io.sluice.sim.replay.ReplaySummary;
import io.sluice.sim.replay.RequestShape;
import io.sluice.sim.replay.Slo;
import io.sluice.sim.replay.Targets;
import io.sluice.sim.replay.TraceRecord;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench overhead}: one instant backend behind Sluice, HAProxy and nginx, and the same
 * backend addressed directly; open-loop fixed rates and a closed-loop saturation point, streamed
 * and not. Added latency is relative to direct at the same point; CPU per request is the proxy
 * processes' utime + stime over the point divided by the requests sent.
 */
@Command(name = "overhead", mixinStandardHelpOptions = true,
    description = "Router overhead: Sluice vs direct vs HAProxy vs nginx in front of an instant backend.")
public final class OverheadBenchCommand implements Callable<Integer> {
  @Option(names = "--rates", split = ",", defaultValue = "200,1000", description = "Open-loop rates, req/s (default: ${DEFAULT-VALUE}).")
  List<Double> rates;
  @Option(names = "--duration", defaultValue = "10s", description = "Length of each point (default: ${DEFAULT-VALUE}).")
  String duration;
  @Option(names = "--concurrency", defaultValue = "64", description = "Requests in flight at saturation (default: ${DEFAULT-VALUE}).")
  int concurrency;
  @Option(names = "--prompt-tokens", defaultValue = "16")
  int promptTokens;
  @Option(names = "--output-tokens", defaultValue = "8")
  int outputTokens;
  @Option(names = "--threads", defaultValue = "2", description = "Threads / workers / event loops of every proxy (default: ${DEFAULT-VALUE}).")
  int threads;
  @Option(names = "--systems", split = ",", defaultValue = "direct,sluice,haproxy,nginx", description = "Default: ${DEFAULT-VALUE}.")
  List<String> systems;
  @Option(names = "--out", required = true, description = "Directory for logs, configurations and results.md.")
  Path out;
  @Option(names = "--parts", split = ",", defaultValue = "rates,saturation", description = "What to measure: rates "
      + "(open loop at --rates), saturation (closed loop at --concurrency), or both (default: ${DEFAULT-VALUE}).")
  List<String> parts;
  @Option(names = "--rounds", defaultValue = "3", description = "Points per system at each rate and at saturation, "
      + "taken in turns; the tables give medians over the rounds (default: ${DEFAULT-VALUE}).")
  int rounds;
  @Option(names = "--warmup", defaultValue = "20s", description = "Traffic sent to each system once after it starts, "
      + "half plain and half streamed, not measured: the JVM's JIT compiles the hot paths (default: ${DEFAULT-VALUE}).")
  String warmup;

  private static final String MODEL = "qwen3-8b";
  private Vertx client;
  private final BarCharts saturationChart = new BarCharts("Saturation throughput, instant backend", "req/s");
  private final BarCharts p50Chart = new BarCharts("E2E p50 at the highest fixed rate, instant backend", "ms");
  private final BarCharts p99Chart = new BarCharts("E2E p99 at the highest fixed rate, instant backend", "ms");

  @Override
  public Integer call() throws Exception {
    if (parts.isEmpty() || !List.of("rates", "saturation").containsAll(parts)) {
      System.err.println("--parts: rates, saturation or both");
      return 2;
    }
    Duration point = Durations.parse(duration);
    Vertx backendVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    client = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    Map<String, Proxy> proxies = new LinkedHashMap<>();
    StringBuilder report = new StringBuilder();
    try {
      int port = FastBackend.deploy(backendVertx, outputTokens).await(10, TimeUnit.SECONDS);
      List<String> backend = List.of("http://127.0.0.1:" + port);
      for (String system : systems) {
        Proxy p = start(system, out.resolve(system), backend);
        if (p == null) {
          System.out.println(system + ": binary not installed (apt-get install -y " + system + "); skipped");
        } else {
          proxies.put(system, p);
        }
      }
      Duration initialWarmUp = Durations.parse(warmup);
      if (!initialWarmUp.isZero()) {
        for (Proxy p : proxies.values()) {
          for (boolean stream : new boolean[] {false, true}) {
            ReplayRun.closedLoop(client, settings(p, stream), new Arrival(0, 0, promptTokens, outputTokens), 16,
                initialWarmUp.dividedBy(2), Integer.MAX_VALUE);
          }
        }
      }
      report.append(String.format(Locale.ROOT, "Instant backend (%d output tokens), prompts of %d tokens, %s per point, "
          + "proxies with %d threads/workers/event loops, each warmed up for %s after it started; latencies in ms; "
          + "CPU in ms per request; this process (load generator and backend) on %s.%n%n", outputTokens, promptTokens,
          duration, threads, warmup, collector()));
      for (boolean stream : new boolean[] {false, true}) {
        report.append(stream ? "### Streamed\n\n" : "### Not streamed\n\n");
        if (parts.contains("rates")) {
          report.append(fixedRates(proxies, stream, point)).append('\n');
        }
        if (parts.contains("saturation")) {
          report.append(saturation(proxies, stream, point)).append('\n');
        }
      }
    } finally {
      proxies.values().forEach(Proxy::close);
      client.close();
      backendVertx.close();
    }
    System.out.println(report);
    Files.createDirectories(out);
    try (PrintStream md = new PrintStream(Files.newOutputStream(out.resolve("results.md")), true, StandardCharsets.UTF_8)) {
      md.print(report);
    }
    if (parts.contains("saturation")) {
      saturationChart.write(out.resolve("overhead-saturation.png"));
    }
    if (parts.contains("rates")) {
      p50Chart.write(out.resolve("overhead-p50.png"));
      p99Chart.write(out.resolve("overhead-p99.png"));
    }
    return 0;
  }

  private MarkdownTable fixedRates(Map<String, Proxy> proxies, boolean stream, Duration point) throws Exception {
    MarkdownTable t = new MarkdownTable("rate", "system", "ok / sent", "E2E p50", "E2E p99", "added p50", "added p99",
        "added p99 each round", "CPU/req", "errors");
    for (double rate : rates) {
      List<Arrival> arrivals = ArrivalSchedule.build(List.of(new TraceRecord(0, promptTokens, outputTokens)),
          OptionalDouble.of(rate), point.toNanos(), Integer.MAX_VALUE);
      Rounds measured = rounds(proxies, (p, round) -> {
        ReplaySummary s = ReplayRun.openLoop(client, settings(p, stream), arrivals).summary();
        System.out.printf(Locale.ROOT, "%s %s at %.0f req/s, round %d: ok %d/%d, E2E p50 %.3f p99 %.3f ms%n", p.name(),
            stream ? "streamed" : "plain", rate, round + 1, s.ok(), s.requests(), s.e2e().p50(), s.e2e().p99());
        return s;
      }, stream);
      List<ReplaySummary> direct = measured.of("direct");
      for (Map.Entry<String, List<ReplaySummary>> e : measured.runs().entrySet()) {
        List<ReplaySummary> mine = e.getValue();
        double p50 = median(mine.stream().mapToDouble(s -> s.e2e().p50()).toArray());
        double p99 = median(mine.stream().mapToDouble(s -> s.e2e().p99()).toArray());
        double[] addedP50 = new double[mine.size()];
        double[] addedP99 = new double[mine.size()];
        for (int r = 0; r < mine.size(); r++) {
          addedP50[r] = direct == null ? Double.NaN : mine.get(r).e2e().p50() - direct.get(r).e2e().p50();
          addedP99[r] = direct == null ? Double.NaN : mine.get(r).e2e().p99() - direct.get(r).e2e().p99();
        }
        int ok = mine.stream().mapToInt(ReplaySummary::ok).sum();
        int sent = mine.stream().mapToInt(ReplaySummary::requests).sum();
        Map<Integer, Integer> errors = new java.util.TreeMap<>();
        mine.forEach(s -> s.errors().forEach((status, n) -> errors.merge(status, n, Integer::sum)));
        t.row(MarkdownTable.fmt(rate), e.getKey(), ok + " / " + sent, p50, p99, median(addedP50), median(addedP99),
            java.util.Arrays.stream(addedP99).mapToObj(MarkdownTable::fmt).collect(java.util.stream.Collectors.joining(", ")),
            measured.cpuMedian(e.getKey()),
            errors.isEmpty() ? "-" : errors.toString());
        if (rate == rates.get(rates.size() - 1)) {
          String mode = stream ? "streamed" : "plain";
          p50Chart.add(mode, e.getKey(), p50);
          p99Chart.add(mode, e.getKey(), p99);
        }
      }
    }
    return t;
  }

  private MarkdownTable saturation(Map<String, Proxy> proxies, boolean stream, Duration point) throws Exception {
    MarkdownTable t = new MarkdownTable("saturation (" + concurrency + " in flight)", "req/s (median)",
        "req/s each round", "x direct", "x HAProxy", "E2E p50", "E2E p99", "errors", "CPU/req");
    Rounds measured = rounds(proxies, (p, round) -> {
      ReplaySummary s = ReplayRun.closedLoop(client, settings(p, stream), new Arrival(0, 0, promptTokens, outputTokens),
          concurrency, point, Integer.MAX_VALUE).summary();
      System.out.printf(Locale.ROOT, "%s %s saturation, round %d: %.0f req/s%n", p.name(), stream ? "streamed" : "plain",
          round + 1, s.requestsPerSec());
      return s;
    }, stream);
    for (Map.Entry<String, List<ReplaySummary>> e : measured.runs().entrySet()) {
      List<ReplaySummary> mine = e.getValue();
      ReplaySummary typical = mine.stream().sorted(java.util.Comparator.comparingDouble(ReplaySummary::requestsPerSec))
          .toList().get((mine.size() - 1) / 2);
      double median = median(mine.stream().mapToDouble(ReplaySummary::requestsPerSec).toArray());
      saturationChart.add(stream ? "streamed" : "plain", e.getKey(), median);
      t.row(e.getKey(), median,
          mine.stream().map(s -> MarkdownTable.fmt(s.requestsPerSec())).collect(java.util.stream.Collectors.joining(", ")),
          roundRatio(mine, measured.of("direct")), roundRatio(mine, measured.of("HAProxy")),
          typical.e2e().p50(), typical.e2e().p99(), typical.errors().isEmpty() ? "-" : typical.errors().toString(),
          measured.cpuMedian(e.getKey()));
    }
    return t;
  }

  /** The garbage collector(s) of this JVM, the one measuring. */
  private static String collector() {
    return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(java.lang.management.GarbageCollectorMXBean::getName).collect(java.util.stream.Collectors.joining(" + "));
  }

  /** One point: the load of one round on one system. */
  @FunctionalInterface
  private interface Point {
    ReplaySummary run(Proxy proxy, int round) throws Exception;
  }

  /** Each system's summaries and CPU per request (ms), one per round, in round order. */
  private record Rounds(Map<String, List<ReplaySummary>> runs, Map<String, List<Double>> cpu) {
    /** The rounds of the system whose name starts with {@code prefix} ("direct", "HAProxy"), or null. */
    List<ReplaySummary> of(String prefix) {
      return runs.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue)
          .findFirst().orElse(null);
    }

    double cpuMedian(String system) {
      return median(cpu.get(system).stream().mapToDouble(Double::doubleValue).toArray());
    }
  }

  /**
   * Runs {@code point} on every system {@code rounds} times, the systems in turns; each round
   * starts with a different system, so none always runs first (or last) in a round.
   */
  private Rounds rounds(Map<String, Proxy> proxies, Point point, boolean stream) throws Exception {
    List<Proxy> order = new ArrayList<>(proxies.values());
    Map<String, List<ReplaySummary>> runs = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    order.forEach(p -> {
      runs.put(p.name(), new ArrayList<>());
      cpu.put(p.name(), new ArrayList<>());
    });
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < order.size(); i++) {
        Proxy p = order.get((i + round) % order.size());
        warmUp(p, stream);
        double cpu0 = p.cpuSeconds();
        ReplaySummary s = point.run(p, round);
        cpu.get(p.name()).add((p.cpuSeconds() - cpu0) * 1000 / Math.max(1, s.requests()));
        runs.get(p.name()).add(s);
      }
    }
    return new Rounds(runs, cpu);
  }

  /** The median over rounds of this system's throughput divided by the other's in the same round. */
  private static double roundRatio(List<ReplaySummary> mine, List<ReplaySummary> other) {
    if (other == null) {
      return Double.NaN;
    }
    double[] ratios = new double[mine.size()];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = mine.get(i).requestsPerSec() / other.get(i).requestsPerSec();
    }
    return median(ratios);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private ReplayRun.Settings settings(Proxy p, boolean stream) {
    return new ReplayRun.Settings(Targets.of(p.targets()), new RequestShape(MODEL, stream, RequestShape.FROM_TRACE),
        new Slo(1_000, 100), 4096, Duration.ofSeconds(30), 30_000);
  }

  /** Two seconds of closed-loop traffic, not counted: JIT, connection pools. */
  private void warmUp(Proxy p, boolean stream) throws InterruptedException {
    ReplayRun.closedLoop(client, settings(p, stream), new Arrival(0, 0, promptTokens, outputTokens), 16,
        Duration.ofSeconds(2), 20_000);
  }

  private Proxy start(String system, Path dir, List<String> backend) throws Exception {
    return switch (system) {
      case "direct" -> new DirectProxy(backend);
      case "sluice" -> SluiceProxy.start(dir, backend, MODEL, "", false, threads);
      case "haproxy" -> HaproxyProxy.startOrNull(dir, backend, "leastconn", threads);
      case "nginx" -> NginxProxy.startOrNull(dir, backend, threads);
      default -> throw new IllegalArgumentException("unknown system " + system + "; known: direct, sluice, haproxy, nginx");
    };
  }
}

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

  private static final String MODEL = "qwen3-8b";
  private Vertx client;
  private final BarCharts saturationChart = new BarCharts("Saturation throughput, instant backend", "req/s");
  private final BarCharts p50Chart = new BarCharts("E2E p50 at the highest fixed rate, instant backend", "ms");
  private final BarCharts p99Chart = new BarCharts("E2E p99 at the highest fixed rate, instant backend", "ms");

  @Override
  public Integer call() throws Exception {
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
      report.append(String.format(Locale.ROOT, "Instant backend (%d output tokens), prompts of %d tokens, %s per point, "
          + "proxies with %d threads/workers/event loops; latencies in ms; CPU in ms per request.%n%n",
          outputTokens, promptTokens, duration, threads));
      for (boolean stream : new boolean[] {false, true}) {
        report.append(stream ? "### Streamed\n\n" : "### Not streamed\n\n");
        report.append(fixedRates(proxies, stream, point)).append('\n');
        report.append(saturation(proxies, stream, point)).append('\n');
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
    saturationChart.write(out.resolve("overhead-saturation.png"));
    p50Chart.write(out.resolve("overhead-p50.png"));
    p99Chart.write(out.resolve("overhead-p99.png"));
    return 0;
  }

  private MarkdownTable fixedRates(Map<String, Proxy> proxies, boolean stream, Duration point) throws Exception {
    MarkdownTable t = new MarkdownTable("rate", "system", "ok / sent", "E2E p50", "E2E p99", "added p50", "added p99",
        "CPU/req", "errors");
    for (double rate : rates) {
      List<Arrival> arrivals = ArrivalSchedule.build(List.of(new TraceRecord(0, promptTokens, outputTokens)),
          OptionalDouble.of(rate), point.toNanos(), Integer.MAX_VALUE);
      ReplaySummary direct = null;
      List<Object[]> rows = new ArrayList<>();
      for (Proxy p : proxies.values()) {
        warmUp(p, stream);
        double cpu0 = p.cpuSeconds();
        ReplaySummary s = ReplayRun.openLoop(client, settings(p, stream), arrivals).summary();
        double cpuMs = (p.cpuSeconds() - cpu0) * 1000 / s.requests();
        if (p instanceof DirectProxy) {
          direct = s;
        }
        System.out.printf(Locale.ROOT, "%s %s at %.0f req/s: ok %d/%d, E2E p50 %.3f p99 %.3f ms%n", p.name(),
            stream ? "streamed" : "plain", rate, s.ok(), s.requests(), s.e2e().p50(), s.e2e().p99());
        rows.add(new Object[] {p.name(), s, cpuMs});
        if (rate == rates.get(rates.size() - 1)) {
          String mode = stream ? "streamed" : "plain";
          p50Chart.add(mode, p.name(), s.e2e().p50());
          p99Chart.add(mode, p.name(), s.e2e().p99());
        }
      }
      for (Object[] r : rows) {
        ReplaySummary s = (ReplaySummary) r[1];
        t.row(MarkdownTable.fmt(rate), r[0], s.ok() + " / " + s.requests(), s.e2e().p50(), s.e2e().p99(),
            direct == null ? Double.NaN : s.e2e().p50() - direct.e2e().p50(),
            direct == null ? Double.NaN : s.e2e().p99() - direct.e2e().p99(), r[2],
            s.errors().isEmpty() ? "-" : s.errors().toString());
      }
    }
    return t;
  }

  private MarkdownTable saturation(Map<String, Proxy> proxies, boolean stream, Duration point) throws Exception {
    MarkdownTable t = new MarkdownTable("saturation (" + concurrency + " in flight)", "req/s", "x direct", "x HAProxy",
        "E2E p50", "E2E p99", "errors", "CPU/req");
    Map<String, ReplaySummary> results = new LinkedHashMap<>();
    Map<String, Double> cpu = new LinkedHashMap<>();
    for (Proxy p : proxies.values()) {
      warmUp(p, stream);
      double cpu0 = p.cpuSeconds();
      ReplaySummary s = ReplayRun.closedLoop(client, settings(p, stream), new Arrival(0, 0, promptTokens, outputTokens),
          concurrency, point, Integer.MAX_VALUE).summary();
      cpu.put(p.name(), (p.cpuSeconds() - cpu0) * 1000 / Math.max(1, s.requests()));
      results.put(p.name(), s);
      saturationChart.add(stream ? "streamed" : "plain", p.name(), s.requestsPerSec());
      System.out.printf(Locale.ROOT, "%s %s saturation: %.0f req/s%n", p.name(), stream ? "streamed" : "plain",
          s.requestsPerSec());
    }
    ReplaySummary direct = results.entrySet().stream().filter(e -> e.getKey().startsWith("direct"))
        .map(Map.Entry::getValue).findFirst().orElse(null);
    ReplaySummary haproxy = results.entrySet().stream().filter(e -> e.getKey().startsWith("HAProxy"))
        .map(Map.Entry::getValue).findFirst().orElse(null);
    results.forEach((name, s) -> t.row(name, s.requestsPerSec(),
        direct == null ? Double.NaN : s.requestsPerSec() / direct.requestsPerSec(),
        haproxy == null ? Double.NaN : s.requestsPerSec() / haproxy.requestsPerSec(),
        s.e2e().p50(), s.e2e().p99(), s.errors().isEmpty() ? "-" : s.errors().toString(), cpu.get(name)));
    return t;
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

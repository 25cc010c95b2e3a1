package io.sluice.sim.bench;

import io.sluice.sim.replay.Arrival;
import io.sluice.sim.replay.ArrivalSchedule;
import io.sluice.sim.replay.Durations;
import io.sluice.sim.replay.ReplayRun;
import io.sluice.sim.replay.ReplaySummary;
import io.sluice.sim.replay.RequestShape;
import io.sluice.sim.replay.ResultsCsv;
import io.sluice.sim.replay.Slo;
import io.sluice.sim.replay.Targets;
import io.sluice.sim.replay.TraceReader;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench cluster}: the same trace replay, open loop, through Sluice, HAProxy leastconn and
 * client-side round robin, each time over a fresh set of emulated engines; one table.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Replay one trace through Sluice, HAProxy (leastconn) and direct round robin over emulated engines.")
public final class ClusterBenchCommand implements Callable<Integer> {
  @Mixin
  TraceOnEnginesOptions fleet = new TraceOnEnginesOptions(16000);
  @Option(names = "--rate", required = true, description = "Mean requests per second (wall clock).")
  double rate;
  @Option(names = "--duration", defaultValue = "30s", description = "Sending time per system (default: ${DEFAULT-VALUE}).")
  String duration;
  @Option(names = "--max-tokens", defaultValue = "trace", description = "max_tokens sent: trace, none or a number (default: ${DEFAULT-VALUE}).")
  String maxTokens;
  @Option(names = "--slo-ttft-ms", defaultValue = "2000", description = "Goodput TTFT bound in model time (default: ${DEFAULT-VALUE}).")
  double sloTtftMs;
  @Option(names = "--slo-tpot-ms", defaultValue = "100", description = "Goodput TPOT bound in model time (default: ${DEFAULT-VALUE}).")
  double sloTpotMs;
  @Option(names = "--systems", split = ",", defaultValue = "sluice,haproxy,direct", description = "Default: ${DEFAULT-VALUE}.")
  List<String> systems;
  @Option(names = "--out", required = true, description = "Directory for per-system CSVs, logs and results.md.")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<Arrival> arrivals = ArrivalSchedule.build(TraceReader.read(fleet.trace), OptionalDouble.of(rate),
        Durations.parse(duration).toNanos(), 1_000_000);
    Slo slo = new Slo(sloTtftMs / fleet.timeScale, sloTpotMs / fleet.timeScale);
    String setup = String.format(Locale.ROOT, "%d engines (llama3-8b-a100, %d KV tokens each, time scale %.1f), "
        + "%d requests at %.1f req/s over %s, streamed, max_tokens=%s; latencies in wall-clock ms "
        + "(x%.1f for model time); goodput SLO TTFT <= %.0f ms, TPOT <= %.0f ms of model time",
        fleet.engines, fleet.kvTokens, fleet.timeScale, arrivals.size(), rate, duration, maxTokens, fleet.timeScale,
        sloTtftMs, sloTpotMs);
    System.out.println(setup);
    MarkdownTable table = new MarkdownTable("system", "SLO attainment", "ok / sent", "errors by status", "TTFT p50", "TTFT p99",
        "ITL p99", "E2E p50", "E2E p99", "req/s", "output tok/s", "goodput req/s", "engine preemptions");
    BarCharts latency = new BarCharts("Trace replay: latency (wall-clock ms, time scale " + fleet.timeScale + ")", "ms");
    BarCharts preempted = new BarCharts("Trace replay: engine preemptions and goodput", "count or req/s");
    Vertx client = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      for (String system : systems) {
        Path dir = out.resolve(system);
        try (EngineCluster cluster = fleet.startEngines();
             Proxy proxy = start(system, dir, cluster.urls(), slo)) {
          if (proxy == null) {
            System.out.println(system + ": binary not installed (apt-get install -y haproxy); skipped");
            table.row(system, "skipped: not installed", "", "", "", "", "", "", "", "", "", "", "");
            continue;
          }
          ReplayRun.Settings settings = new ReplayRun.Settings(Targets.of(proxy.targets()),
              new RequestShape(fleet.model, true, RequestShape.parseMaxTokens(maxTokens)), slo, 4096,
              Durations.parse("120s"), 120_000);
          // a few small requests first (JIT, connections); their preemptions, if any, are not counted
          ReplayRun.closedLoop(client, settings, new Arrival(0, 0, 16, 4), 4, Durations.parse("3s"), 2_000);
          long before = cluster.preemptions();
          System.out.printf("%s: replaying %d requests ...%n", proxy.name(), arrivals.size());
          ReplayRun.Outcome outcome = ReplayRun.openLoop(client, settings, arrivals);
          long preemptions = cluster.preemptions() - before;
          ResultsCsv.write(dir.resolve("requests.csv"), outcome.results());
          ReplaySummary s = outcome.summary();
          s.print(System.out);
          table.row(proxy.name(), String.format(Locale.ROOT, "%.1f%%", 100 * s.sloAttainment()),
              s.ok() + " / " + s.requests(), s.errors().isEmpty() ? "-" : s.errors().toString(),
              s.ttft().p50(), s.ttft().p99(), s.itl().p99(), s.e2e().p50(), s.e2e().p99(), s.requestsPerSec(),
              s.outputTokensPerSec(), s.goodputPerSec(), preemptions);
          latency.add("TTFT p50", proxy.name(), s.ttft().p50());
          latency.add("TTFT p99", proxy.name(), s.ttft().p99());
          latency.add("E2E p99", proxy.name(), s.e2e().p99());
          preempted.add("engine preemptions", proxy.name(), preemptions);
          preempted.add("goodput req/s", proxy.name(), s.goodputPerSec());
        }
      }
    } finally {
      client.close();
    }
    System.out.println();
    System.out.println(table);
    Files.createDirectories(out);
    try (PrintStream md = new PrintStream(Files.newOutputStream(out.resolve("results.md")), true, StandardCharsets.UTF_8)) {
      md.println(setup);
      md.println();
      md.print(table);
    }
    latency.write(out.resolve("cluster-latency.png"));
    preempted.write(out.resolve("cluster-preemptions.png"));
    return 0;
  }

  /** Sluice runs with the benchmark's SLO (in wall-clock time) as its pool objective, as an operator would set it. */
  private Proxy start(String system, Path dir, List<String> engineUrls, Slo slo) throws Exception {
    String objective = String.format(Locale.ROOT, "  admission: {objective: {ttft: %dms, tpot: %dms}}%n",
        Math.round(slo.ttftMillis()), Math.max(1, Math.round(slo.tpotMillis())));
    return switch (system) {
      case "sluice" -> SluiceProxy.start(dir, engineUrls, fleet.model, objective, true, 2);
      case "haproxy" -> HaproxyProxy.startOrNull(dir, engineUrls, "leastconn", 2);
      case "direct" -> new DirectProxy(engineUrls);
      default -> throw new IllegalArgumentException("unknown system " + system + "; known: sluice, haproxy, direct");
    };
  }
}

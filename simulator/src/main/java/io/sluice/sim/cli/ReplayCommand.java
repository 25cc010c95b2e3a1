package io.sluice.sim.cli;

import io.sluice.sim.replay.Arrival;
import io.sluice.sim.replay.ArrivalSchedule;
import io.sluice.sim.replay.Durations;
import io.sluice.sim.replay.ReplayRun;
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
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code replay}: an open-loop load generator driven by a trace, against loopback targets. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Replay a trace (TIMESTAMP,ContextTokens,GeneratedTokens) as chat completions, open loop.")
final class ReplayCommand implements Callable<Integer> {
  @Option(names = "--trace", required = true, description = "Trace CSV file.")
  Path trace;
  @Option(names = "--target", required = true, split = ",",
      description = "Base URL(s) on loopback, e.g. http://127.0.0.1:8080; several are used in turn.")
  List<String> targets;
  @Option(names = "--rate", description = "Mean requests per second (the trace's gaps rescaled); default: as recorded.")
  Double rate;
  @Option(names = "--duration", defaultValue = "60s", description = "Sending stops after this (default: ${DEFAULT-VALUE}).")
  String duration;
  @Option(names = "--max-requests", defaultValue = "100000", description = "Most requests (default: ${DEFAULT-VALUE}).")
  int maxRequests;
  @Option(names = "--out", required = true, description = "Directory for requests.csv and summary.txt.")
  Path out;
  @Mixin
  ModelOption modelOption;
  @Option(names = "--stream", defaultValue = "true", arity = "1", description = "Stream responses (default: ${DEFAULT-VALUE}).")
  boolean stream;
  @Option(names = "--max-tokens", defaultValue = "trace",
      description = "max_tokens sent: trace (the trace's output length), none, or a number (default: ${DEFAULT-VALUE}).")
  String maxTokens;
  @Option(names = "--slo-ttft-ms", defaultValue = "2000", description = "Goodput TTFT bound (default: ${DEFAULT-VALUE}).")
  double sloTtftMs;
  @Option(names = "--slo-tpot-ms", defaultValue = "100", description = "Goodput TPOT bound (default: ${DEFAULT-VALUE}).")
  double sloTpotMs;
  @Option(names = "--connections", defaultValue = "4096", description = "Pooled connections per target (default: ${DEFAULT-VALUE}).")
  int connections;
  @Option(names = "--drain", defaultValue = "60s", description = "Wait for answers after the last send (default: ${DEFAULT-VALUE}).")
  String drain;

  @Override
  public Integer call() throws Exception {
    Targets to = Targets.of(targets);
    Duration runFor = Durations.parse(duration);
    List<Arrival> arrivals = ArrivalSchedule.build(TraceReader.read(trace),
        rate == null ? OptionalDouble.empty() : OptionalDouble.of(rate), runFor.toNanos(), maxRequests);
    ReplayRun.Settings settings = new ReplayRun.Settings(to, new RequestShape(modelOption.model, stream,
        RequestShape.parseMaxTokens(maxTokens)), new Slo(sloTtftMs, sloTpotMs), connections, Durations.parse(drain),
        Durations.parse(drain).toMillis());
    System.out.printf("replaying %d requests over %s to %s%n", arrivals.size(), runFor, to.all());
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      ReplayRun.Outcome outcome = ReplayRun.openLoop(vertx, settings, arrivals);
      Files.createDirectories(out);
      ResultsCsv.write(out.resolve("requests.csv"), outcome.results());
      outcome.summary().print(System.out);
      try (PrintStream file = new PrintStream(Files.newOutputStream(out.resolve("summary.txt")), true,
          StandardCharsets.UTF_8)) {
        outcome.summary().print(file);
      }
      System.out.println("wrote " + out.resolve("requests.csv") + " and " + out.resolve("summary.txt"));
      return outcome.summary().ok() > 0 ? 0 : 2;
    } finally {
      vertx.close();
    }
  }
}

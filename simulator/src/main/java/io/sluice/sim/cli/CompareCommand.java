package io.sluice.sim.cli;

import io.sluice.crd.BudgetLimit;
import io.sluice.crd.BudgetSpec;
import io.sluice.crd.MissAction;
import io.sluice.crd.QueueSpec;
import io.sluice.crd.ServiceObjective;
import io.sluice.crd.Shedding;
import io.sluice.sim.cluster.ClusterSim;
import io.sluice.sim.cluster.CompareReport;
import io.sluice.sim.cluster.Comparison;
import io.sluice.sim.cluster.Policy;
import io.sluice.sim.cluster.Workload;
import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profile;
import io.sluice.sim.replay.Durations;
import io.sluice.sim.replay.Slo;
import io.sluice.sim.replay.TraceReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code compare}: the offline discrete-event comparison of routing policies on a virtual clock
 * (no HTTP, no sleeps). Writes results.csv and one PNG per figure against load.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Compare routing policies offline: the real admission core and scoring chain on emulated"
        + " engines, on a virtual clock.")
final class CompareCommand implements Callable<Integer> {
  @Option(names = "--trace", description = "Trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens).")
  Path trace;
  @Option(names = "--workload", description = "Synthetic mix instead of a trace: chat, rag, agents, bursts, mix.")
  String workload;
  @Option(names = "--requests", defaultValue = "0",
      description = "Requests to simulate (0: the whole trace; required with --workload). A shorter trace is replayed again.")
  int requests;
  @Option(names = "--pods", defaultValue = "8")
  int pods;
  @Mixin
  ProfileOption profileOption;
  @Option(names = "--kv-tokens", defaultValue = "150000", description = "KV capacity per engine (default: ${DEFAULT-VALUE}).")
  int kvTokens;
  @Option(names = "--load", split = ",",
      description = "Loads as fractions of the measured cluster capacity; none: arrivals as recorded.")
  List<Double> loads = new ArrayList<>();
  @Option(names = "--policies", split = ",",
      defaultValue = "round-robin,random,least-request,least-kv-cache,prefix-affinity,sluice")
  List<String> policies;
  @Option(names = "--seed", defaultValue = "1")
  long seed;
  @Option(names = "--out", required = true)
  Path out;
  @Option(names = "--threads", defaultValue = "2", description = "Runs in parallel (results do not depend on it).")
  int threads;
  @Option(names = "--slo-ttft-ms", defaultValue = "2000")
  double sloTtftMs;
  @Option(names = "--slo-tpot-ms", defaultValue = "100")
  double sloTpotMs;
  @Option(names = "--scrape-interval-ms", defaultValue = "500", description = "Router's engine-metrics scrape interval.")
  long scrapeMs;
  @Option(names = "--calibration-requests", defaultValue = "1000")
  int calibrationRequests;
  @Option(names = "--oracle-output", description = "ORACLE: give the router each request's true output length as max_tokens.")
  boolean oracleOutput;

  @Option(names = "--utilization", description = "Sluice's budget: share of each engine's KV cache (default: the pool default, 0.9).")
  Double utilization;
  @Option(names = "--output-quantile", description = "Sluice's output estimate: quantile of recent outputs (default: the pool default, 0.9).")
  Double outputQuantile;
  @Option(names = "--queue-max-length",
      description = "Sluice's queue: most requests waiting (default: the pool default, 1000).")
  Integer queueMaxLength;
  @Option(names = "--queue-max-wait",
      description = "Sluice's queue: longest wait, e.g. 10s (default: the pool default, 60s).")
  String queueMaxWait;
  @Option(names = "--queue-starvation-threshold",
      description = "Sluice's queue: wait after which nothing bypasses the head (default: the pool default, 10s).")
  String queueStarvation;

  @Option(names = "--budget-limit",
      description = "Sluice's budget: adaptive or fixed (default: the pool default, adaptive with tokensPerPod auto).")
  String budgetLimit;
  @Option(names = "--on-miss", defaultValue = "reject",
      description = "Sluice's objective (the SLO above): reject (refuse predicted misses at arrival), serve "
          + "(queue them anyway) or none (no objective) (default: ${DEFAULT-VALUE}).")
  String onMiss;
  @Option(names = "--shedding", defaultValue = "goodput",
      description = "Which requests Sluice refuses first: goodput or size-neutral (default: ${DEFAULT-VALUE}).")
  String shedding;

  private static BudgetLimit limit(String name) {
    return name == null ? null : switch (name) {
      case "adaptive" -> BudgetLimit.ADAPTIVE;
      case "fixed" -> BudgetLimit.FIXED;
      default -> throw new IllegalArgumentException("--budget-limit: adaptive or fixed, not " + name);
    };
  }

  private ServiceObjective objective(Slo slo) {
    MissAction action = switch (onMiss) {
      case "none" -> null;
      case "reject" -> MissAction.REJECT;
      case "serve" -> MissAction.SERVE;
      default -> throw new IllegalArgumentException("--on-miss: reject, serve or none, not " + onMiss);
    };
    Shedding order = switch (shedding) {
      case "goodput" -> Shedding.GOODPUT;
      case "size-neutral" -> Shedding.SIZE_NEUTRAL;
      default -> throw new IllegalArgumentException("--shedding: goodput or size-neutral, not " + shedding);
    };
    return action == null ? null : ClusterSim.objectiveOf(slo, action, order);
  }

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    Profile p = profileOption.resolve();
    Workload base;
    if (trace != null) {
      base = Workload.fromTrace(trace.getFileName().toString(), TraceReader.read(trace), requests);
    } else if (workload != null && requests > 0) {
      base = Workload.synthetic(Workload.Mix.parse(workload), requests, seed);
    } else {
      System.err.println("give --trace FILE, or --workload MIX with --requests N");
      return 2;
    }
    List<Policy> chosen = policies.stream().map(Policy::parse).toList();
    ClusterSim.Settings settings = new ClusterSim.Settings(pods, EngineConfig.of(kvTokens, p),
        new Slo(sloTtftMs, sloTpotMs), scrapeMs * 1_000_000L, oracleOutput, seed,
        new BudgetSpec(null, utilization, null, null, null, null, outputQuantile, null, null, limit(budgetLimit), null),
        new QueueSpec(queueMaxLength, null, duration(queueMaxWait), null, duration(queueStarvation), null),
        objective(new Slo(sloTtftMs, sloTpotMs)));
    System.out.printf(Locale.ROOT, "workload %s: %d requests, %d pods of %s with %d KV tokens, seed %d%s%n",
        base.name(), base.size(), pods, p.name(), kvTokens, seed, oracleOutput ? ", ORACLE output lengths" : "");
    for (Policy policy : chosen) {
      System.out.println("  " + policy.id() + ": " + policy.label());
    }
    Comparison.Outcome outcome = Comparison.run(settings, base, chosen, loads, threads, calibrationRequests);
    System.out.printf(Locale.ROOT, "capacity: %.3f req/s per pod (saturation, %d requests at once), %.2f req/s for the"
        + " cluster%n", outcome.podRps(), Math.min(calibrationRequests, base.size()), outcome.clusterRps());
    CompareReport.write(outcome.results(), out, base.name() + ", " + pods + " pods");
    System.out.print(CompareReport.markdown(outcome.results()));
    Comparison.targets(outcome.results()).forEach(System.out::println);
    System.out.printf(Locale.ROOT, "wall time: %.1f s; wrote %s%n", (System.nanoTime() - start) / 1e9,
        out.resolve("results.csv"));
    return 0;
  }

  /** A duration option, or null (the pool default) when it was not given. */
  private static Duration duration(String option) {
    return option == null ? null : Durations.parse(option);
  }
}

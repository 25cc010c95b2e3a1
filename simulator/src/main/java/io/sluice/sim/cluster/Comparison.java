package io.sluice.sim.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every policy at every load on one workload. Capacity is measured first ({@link Capacity}); load
 * {@code x} then replays the workload with its arrivals rescaled to {@code x} times that capacity.
 * Runs are independent and deterministic, so they may run on several threads; results come back in
 * load-then-policy order whatever the thread count.
 */
public final class Comparison {
  /** The outcome: the capacity used and one result per run. */
  public record Outcome(double podRps, double clusterRps, List<RunResult> results) {}

  private Comparison() {}

  /**
   * @param loads fractions of capacity; empty to replay the arrivals as recorded (one run per policy)
   * @param calibrationRequests requests in the capacity measurement
   */
  public static Outcome run(ClusterSim.Settings settings, Workload base, List<Policy> policies, List<Double> loads,
      int threads, int calibrationRequests) throws InterruptedException {
    double podRps = Capacity.perPodRps(base, settings.engine(), calibrationRequests);
    double clusterRps = podRps * settings.pods();
    List<Double> points = loads.isEmpty() ? List.of(base.meanRate() / clusterRps) : loads;
    List<Workload> workloads = new ArrayList<>();
    for (double load : points) {
      workloads.add(loads.isEmpty() ? base : base.atRate(load * clusterRps));
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      List<Future<RunResult>> futures = new ArrayList<>();
      for (int l = 0; l < points.size(); l++) {
        Workload work = workloads.get(l);
        double load = points.get(l);
        for (Policy policy : policies) {
          futures.add(pool.submit(() -> timed(settings, work, policy, load)));
        }
      }
      List<RunResult> results = new ArrayList<>();
      for (Future<RunResult> f : futures) {
        results.add(f.get());
      }
      return new Outcome(podRps, clusterRps, results);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a simulation failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static RunResult timed(ClusterSim.Settings settings, Workload work, Policy policy, double load) {
    long start = System.nanoTime();
    RunResult r = new ClusterSim(settings, work, policy, load).run();
    System.out.printf(Locale.ROOT, "  %-16s load %.2f: %d requests in %.1f s of wall time (%.0f s virtual)%n",
        policy.id(), load, r.requests(), (System.nanoTime() - start) / 1e9, r.seconds());
    return r;
  }

  /**
   * The targets at the load nearest 0.9, as lines of text: Sluice without preemptions,
   * Sluice's p99 TTFT at most half of least-request's, Sluice's goodput at least the best other's.
   */
  public static List<String> targets(List<RunResult> results) {
    List<String> lines = new ArrayList<>();
    double nearest = results.stream().mapToDouble(RunResult::load)
        .reduce(Double.NaN, (a, b) -> Double.isNaN(a) || Math.abs(b - 0.9) < Math.abs(a - 0.9) ? b : a);
    RunResult sluice = find(results, "sluice", nearest);
    if (sluice == null) {
      lines.add("targets: no sluice run");
      return lines;
    }
    lines.add(String.format(Locale.ROOT, "target at load %.2f: zero engine preemptions with Sluice: %d -> %s",
        nearest, sluice.preemptions(), sluice.preemptions() == 0 ? "MET" : "NOT MET"));
    RunResult lr = find(results, "least-request", nearest);
    if (lr != null) {
      lines.add(String.format(Locale.ROOT,
          "target at load %.2f: Sluice TTFT p99 <= half of least-request's: %.0f ms vs %.0f ms (ratio %.2f) -> %s",
          nearest, sluice.ttftP99(), lr.ttftP99(), sluice.ttftP99() / lr.ttftP99(),
          sluice.ttftP99() <= lr.ttftP99() / 2 ? "MET" : "NOT MET"));
    }
    RunResult best = null;
    for (RunResult r : results) {
      if (r.load() == nearest && !r.policy().equals("sluice") && (best == null || r.goodputRps() > best.goodputRps())) {
        best = r;
      }
    }
    if (best != null) {
      lines.add(String.format(Locale.ROOT,
          "target at load %.2f: Sluice goodput >= best other (%s): %.3f vs %.3f req/s -> %s", nearest, best.policy(),
          sluice.goodputRps(), best.goodputRps(), sluice.goodputRps() >= best.goodputRps() ? "MET" : "NOT MET"));
    }
    return lines;
  }

  private static RunResult find(List<RunResult> results, String policy, double load) {
    return results.stream().filter(r -> r.policy().equals(policy) && r.load() == load).findFirst().orElse(null);
  }
}

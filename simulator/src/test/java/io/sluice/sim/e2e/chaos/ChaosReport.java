package io.sluice.sim.e2e.chaos;

import static io.sluice.sim.e2e.chaos.ChaosRig.BUDGET;
import static io.sluice.sim.e2e.chaos.ChaosRig.KV_TOKENS;
import static io.sluice.sim.e2e.chaos.ChaosRig.sum;

import io.sluice.router.admission.AdmissionController;
import io.sluice.router.admission.PodBudget;
import io.sluice.sim.e2e.chaos.ChaosClient.Kind;
import io.sluice.sim.e2e.chaos.ChaosClient.Outcome;
import io.sluice.sim.e2e.chaos.ChaosClient.Result;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What one chaos run left behind: every client's outcome, the faults the engines injected, the
 * router's metrics page and its ledger (read live, after the run settled), each engine's figures.
 *
 * @param removed    the pod a config reload took out of the pool while busy, if any
 * @param deadPodId  the address where nothing listens, as a pod id, or null
 */
record ChaosReport(ChaosScenario scenario, long seed, Map<Integer, Outcome> outcomes, int doubleAnswers,
                   Map<String, Long> injected, String routerMetrics, java.util.List<EngineFigures> engines,
                   Map<String, Long> configChanges, Optional<PodBudget> removed, int inFlightOnRemoved,
                   AdmissionController admission, String deadPodId) {

  /** One engine's own figures, from its metrics page. */
  record EngineFigures(int port, long peakKvTokens, long preemptions) {
  }

  /** Faults of one kind the engines injected (see {@code FaultCounts}), 0 if none. */
  long injected(String kind) {
    return injected.getOrDefault(kind, 0L);
  }

  Map<Result, Long> results() {
    Map<Result, Long> results = new EnumMap<>(Result.class);
    outcomes.values().forEach(o -> results.merge(o.result(), 1L, Long::sum));
    return results;
  }

  long count(Result result) {
    return results().getOrDefault(result, 0L);
  }

  /** Clients that left on purpose, by when: before any answer, during prefill, mid-stream. */
  Map<String, Long> left() {
    return outcomes.values().stream().filter(o -> o.result() == Result.LEFT)
        .collect(Collectors.groupingBy(o -> "client left: " + o.detail(), TreeMap::new, Collectors.counting()));
  }

  long left(String when) {
    return left().getOrDefault("client left: " + when, 0L);
  }

  long slowReadersReadToTheEnd() {
    return outcomes.values().stream().filter(o -> o.kind() == Kind.SLOW_READER && o.result() == Result.COMPLETE)
        .count();
  }

  Map<Integer, Long> errorsByStatus() {
    return outcomes.values().stream().filter(o -> o.result() == Result.ERROR)
        .collect(Collectors.groupingBy(Outcome::status, TreeMap::new, Collectors.counting()));
  }

  long slowestMillis() {
    return outcomes.values().stream().mapToLong(Outcome::millis).max().orElse(0);
  }

  long cancelledInQueue() {
    return sum(routerMetrics, "sluice_admission_outcomes_total", "outcome", "cancelled");
  }

  /** The router's upstream errors on the address where nothing listens. */
  long connectFailures() {
    return deadPodId == null ? 0 : sum(routerMetrics, "sluice_upstream_errors_total", "pod", deadPodId);
  }

  /** The router's upstream errors after the answer began, all pods. */
  long streamErrors() {
    return sum(routerMetrics, "sluice_upstream_errors_total", "reason", "stream");
  }

  long configReloads(String result) {
    return sum(routerMetrics, "sluice_config_reloads_total", "result", result);
  }

  long preemptions() {
    return engines.stream().mapToLong(EngineFigures::preemptions).sum();
  }

  /** The counts of each fault survived, as a Markdown table (docs/operations.md quotes one). */
  String table() {
    StringBuilder table = new StringBuilder();
    table.append(String.format("%nchaos run '%s': %d requests, seed %d, %d at a time, budget %d of %d KV tokens per pod%n",
        scenario.name(), scenario.requests(), seed, ChaosRun.CONCURRENCY, BUDGET, KV_TOKENS));
    table.append("| fault survived | count |\n|---|---|\n");
    injected.forEach((k, n) -> row(table, k, n));
    row(table, "router upstream errors on the dead address (refused)", connectFailures());
    row(table, "router upstream errors after the answer began (stream, all pods)", streamErrors());
    row(table, "client left while queued (router: cancelled in queue)", cancelledInQueue());
    left().forEach((k, n) -> row(table, k, n));
    row(table, "slow reader, stream read to the end", slowReadersReadToTheEnd());
    configChanges.forEach((k, n) -> row(table, k, n));
    row(table, "requests in flight on the pod when it was removed", inFlightOnRemoved);
    outcomes.values().stream().filter(o -> o.result() == Result.CUT)
        .collect(Collectors.groupingBy(o -> "stream cut (" + o.kind() + ", after " + o.millis() / 1000 + " s): " + o.detail(), TreeMap::new, Collectors.counting()))
        .forEach((k, n) -> row(table, k, n));
    table.append("outcomes: ").append(results()).append("; errors by status: ").append(errorsByStatus())
        .append("; slowest answer ").append(slowestMillis()).append(" ms\n");
    table.append(engines.stream().map(e -> "engine :" + e.port() + " peak KV " + e.peakKvTokens() + " tokens (budget "
        + BUDGET + ", cache " + KV_TOKENS + "), preemptions " + e.preemptions()).collect(Collectors.joining("; ")))
        .append('\n');
    return table.toString();
  }

  private static void row(StringBuilder table, String fault, long count) {
    table.append("| ").append(fault).append(" | ").append(count).append(" |\n");
  }
}

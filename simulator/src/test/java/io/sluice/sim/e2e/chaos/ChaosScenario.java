package io.sluice.sim.e2e.chaos;

import io.sluice.sim.e2e.chaos.ChaosClient.Kind;
import io.sluice.sim.server.Faults;
import java.util.List;
import java.util.function.Consumer;

/**
 * One chaos run: the engines and the faults each injects, whether an address where nothing
 * listens is in the pool, whether pods come and go by config reloads, what the clients do, and
 * the proof that the fault it is about was met (a run that met none proves nothing).
 *
 * @param engines       one engine per entry, with the faults it injects
 * @param inPoolAtStart how many of them (the first ones) the router starts with
 * @param churnsConfig  a pod joins, a busy one leaves, an invalid edit, the pod comes back ({@link ChaosRun})
 * @param kinds         what each client does, drawn at random per request
 */
record ChaosScenario(String name, int requests, List<Faults> engines, int inPoolAtStart, boolean deadAddress,
                     boolean churnsConfig, List<Kind> kinds, Consumer<ChaosReport> faultMet) {
  ChaosScenario {
    if (churnsConfig && (engines.size() != 4 || inPoolAtStart != 3 || !deadAddress)) {
      throw new IllegalArgumentException("config churn moves engines 2 and 4 of four, three in the pool and the dead address");
    }
  }

  @Override
  public String toString() {
    return name;
  }
}

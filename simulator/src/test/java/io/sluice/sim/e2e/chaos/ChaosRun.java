package io.sluice.sim.e2e.chaos;

import static io.sluice.sim.e2e.chaos.ChaosRig.BUDGET;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.admission.AdmissionController;
import io.sluice.router.admission.PodBudget;
import io.sluice.sim.e2e.chaos.ChaosClient.Kind;
import io.sluice.sim.e2e.chaos.ChaosClient.Outcome;
import io.sluice.sim.e2e.chaos.ChaosClient.Request;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Sends a scenario's requests, {@link #CONCURRENCY} at a time, through a {@link ChaosRig}, moves
 * pods by config reloads if the scenario says so, waits until every client has its answer and
 * the router has settled, and gathers the figures into a {@link ChaosReport}.
 */
final class ChaosRun {
  static final int CONCURRENCY = 32;

  private final ChaosRig rig;
  private final ChaosScenario scenario;
  private final Map<Integer, Outcome> outcomes = new ConcurrentHashMap<>();
  private final AtomicInteger doubleAnswers = new AtomicInteger();
  private final Map<String, Long> configChanges = new LinkedHashMap<>();
  private PodBudget removed;
  private int inFlightOnRemoved;

  private ChaosRun(ChaosRig rig, ChaosScenario scenario) {
    this.rig = rig;
    this.scenario = scenario;
  }

  static ChaosReport run(ChaosRig rig, ChaosScenario scenario, long seed) throws Exception {
    return new ChaosRun(rig, scenario).run(seed);
  }

  private ChaosReport run(long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    // One connection per request: a client that leaves resets its connection, and a pooled
    // connection handed out just before that close would fail a request the router never saw.
    HttpClient oneConnectionEach = rig.clients.createHttpClient(new HttpClientOptions().setKeepAlive(false),
        new PoolOptions().setHttp1MaxSize(CONCURRENCY * 2));
    // Slow readers never reset, and on a connection closed after the response ("Connection:
    // close") a paused Vert.x response fails with the chunks it still holds undelivered: a
    // stream cut the router never made.
    HttpClient keptAlive = rig.clients.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(CONCURRENCY * 2));
    Semaphore slots = new Semaphore(CONCURRENCY);
    int port = rig.routerPort();
    List<Kind> kinds = scenario.kinds();
    for (int i = 0; i < scenario.requests(); i++) {
      if (scenario.churnsConfig()) {
        churnConfig(i, scenario.requests());
      }
      slots.acquire();
      Request request = new Request(i, kinds.get(random.nextInt(kinds.size())), 30 + random.nextInt(600),
          16 + random.nextInt(150), 1 + random.nextInt(6));
      Consumer<Outcome> done = outcome -> {
        if (outcomes.putIfAbsent(request.index(), outcome) != null) {
          doubleAnswers.incrementAndGet();
        }
        slots.release();
      };
      HttpClient http = request.kind() == Kind.SLOW_READER ? keptAlive : oneConnectionEach;
      rig.clients.runOnContext(v -> ChaosClient.send(rig.clients, http, port, ChaosRig.MODEL, request, done));
    }
    assertThat(slots.tryAcquire(CONCURRENCY, 90, TimeUnit.SECONDS)).as("every request answered").isTrue();
    awaitRouterSettled();
    return new ChaosReport(scenario, seed, Map.copyOf(outcomes), doubleAnswers.get(), rig.injected(),
        rig.routerMetrics(), rig.engineFigures(), configChanges, Optional.ofNullable(removed), inFlightOnRemoved,
        rig.admission(), rig.dead() == null ? null : ChaosRig.podId(rig.dead()));
  }

  /**
   * Pods come and go while requests are in flight: at 1/5 of the run a pod joins, at 2/5 a busy
   * pod leaves, at 1/2 a broken edit is refused (the pods stay), at 3/4 the removed pod comes back.
   */
  private void churnConfig(int i, int requests) throws Exception {
    String dead = rig.dead();
    if (i == requests / 5) {
      rig.reload(List.of(rig.engineUrl(0), rig.engineUrl(1), rig.engineUrl(2), rig.engineUrl(3), dead), BUDGET,
          "applied");
      configChanges.merge("pod added (config reload)", 1L, Long::sum);
    } else if (i == 2 * requests / 5) {
      removed = rig.admission().pod(ChaosRig.podId(rig.engineUrl(1))).orElseThrow();
      inFlightOnRemoved = removed.inFlight();
      rig.reload(List.of(rig.engineUrl(0), rig.engineUrl(2), rig.engineUrl(3), dead), BUDGET, "applied");
      configChanges.merge("pod removed (config reload)", 1L, Long::sum);
    } else if (i == requests / 2) {
      rig.reload(List.of(rig.engineUrl(0), rig.engineUrl(1)), -1, "rejected");
      assertThat(rig.podsInPool()).hasSize(4);
      configChanges.merge("invalid config refused", 1L, Long::sum);
    } else if (i == 3 * requests / 4) {
      rig.reload(List.of(rig.engineUrl(0), rig.engineUrl(1), rig.engineUrl(2), rig.engineUrl(3), dead), BUDGET,
          "applied");
      configChanges.merge("pod added (config reload)", 1L, Long::sum);
    }
  }

  /** The router releases a reservation as the response ends, which can be just after the client saw it. */
  private void awaitRouterSettled() throws InterruptedException {
    AdmissionController admission = rig.admission();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline && !(admission.reservedTokens() == 0 && admission.inFlight() == 0
        && admission.queuedRequests() == 0 && (removed == null || removed.reserved() == 0))) {
      Thread.sleep(20);
    }
  }
}

package io.sluice.router.admission.bench;

import io.sluice.crd.AdmissionMode;
import io.sluice.crd.MissAction;
import io.sluice.crd.QueuePolicy;
import io.sluice.crd.QueueSpec;
import io.sluice.crd.ServiceObjective;
import io.sluice.crd.Shedding;
import io.sluice.router.admission.AdmissionCallback;
import io.sluice.router.admission.AdmissionController;
import io.sluice.router.admission.AdmissionListener;
import io.sluice.router.admission.AdmissionRequest;
import io.sluice.router.admission.Decision;
import io.sluice.router.admission.MostHeadroom;
import io.sluice.router.admission.PodPicker;
import io.sluice.router.admission.Reservation;
import io.sluice.router.runtime.ChainPicker;
import io.sluice.scoring.EngineMetrics;
import io.sluice.scoring.PluginRegistry;
import io.sluice.scoring.ProfileConfig;
import io.sluice.scoring.RequestSnapshot;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The admission hot paths: reserve + first token + release on an idle pool (the fast path every
 * streamed request takes when nothing waits; the first token ends its pending prefill and teaches
 * the pod's prefill rate), with the simplest selector and with the default scoring chain, and enqueue
 * + dispatch with 10,000 requests already waiting, with and without a service objective (whose
 * requests get a predicted wait at admission). Run as described in docs/admission.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class AdmissionBenchmark {

  /** A pool whose pods have room: every admit is immediate. */
  @State(Scope.Benchmark)
  public static class IdlePool {
    @Param({"1", "16", "100"})
    int pods;

    /** {@code most-headroom}: the core's own selector; {@code default-chain}: the default scoring profile. */
    @Param({"most-headroom", "default-chain"})
    String selector;

    AdmissionController controller;
    final AdmissionRequest request = new AdmissionRequest(1008, 0, "default", "t",
        RequestSnapshot.of("m", 1008), java.util.Set.of(), null, 1000);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      PodPicker chosen = selector.equals("default-chain")
          ? new ChainPicker(PluginRegistry.load(AdmissionBenchmark.class.getClassLoader())
              .build(ProfileConfig.defaults()), pod -> EngineMetrics.UNKNOWN)
          : new MostHeadroom();
      controller = new AdmissionController("bench", QueueSpec.defaults(), AdmissionMode.ENFORCE,
          chosen, AdmissionListener.NONE, System::nanoTime);
      for (int i = 0; i < pods; i++) {
        controller.addPod("pod-" + i, 1_000_000_000L);
      }
    }
  }

  /** A streamed request's whole life in admission: reserve, first token (prefill done), release. */
  @Benchmark
  public boolean reserveAndRelease(IdlePool pool) {
    Reservation reservation = ((Decision.Admitted) pool.controller.admit(pool.request, null)).reservation();
    reservation.firstToken();
    return reservation.release();
  }

  @Benchmark
  @Threads(2)
  public boolean reserveAndReleaseTwoThreads(IdlePool pool) {
    Reservation reservation = ((Decision.Admitted) pool.controller.admit(pool.request, null)).reservation();
    reservation.firstToken();
    return reservation.release();
  }

  /**
   * A pool whose one pod is full, with 10,000 requests of random priority waiting. Each operation
   * queues one more request and releases the running one, which dispatches the head of the queue:
   * the queue stays at 10,000.
   */
  @State(Scope.Thread)
  public static class BusyPool implements AdmissionCallback {
    static final int WAITING = 10_000;
    static final long BUDGET = 4096;

    /** {@code none}; {@code serve}: every request carries an objective, so each admit predicts its wait. */
    @Param({"none", "serve"})
    String objective;

    AdmissionController controller;
    Reservation running;
    ServiceObjective held;
    final SplittableRandom random = new SplittableRandom(1);

    @Setup(Level.Trial)
    public void setUp() {
      held = objective.equals("serve")
          ? new ServiceObjective(Duration.ofSeconds(2), null, MissAction.SERVE, Shedding.GOODPUT) : null;
      QueueSpec queue = new QueueSpec(WAITING * 2, Long.MAX_VALUE, Duration.ofHours(1), 1.0, Duration.ofHours(1),
          QueuePolicy.FIFO);
      controller = new AdmissionController("bench", queue, AdmissionMode.ENFORCE, new MostHeadroom(),
          AdmissionListener.NONE, System::nanoTime);
      controller.addPod("pod", BUDGET);
      running = ((Decision.Admitted) controller.admit(request(), null)).reservation();
      for (int i = 0; i < WAITING; i++) {
        controller.admit(request(), this);
      }
    }

    AdmissionRequest request() {
      return new AdmissionRequest(BUDGET, random.nextInt(10), "default", "t", null, java.util.Set.of(), held,
          BUDGET / 2);
    }

    @Override
    public void admitted(Reservation reservation, long waitedNanos) {
      running = reservation;
    }

    @Override
    public void expired(long waitedNanos) {
      throw new IllegalStateException("nothing expires within the hour");
    }
  }

  @Benchmark
  public int enqueueAndDispatchWith10kWaiting(BusyPool pool) {
    pool.controller.admit(pool.request(), pool);
    pool.running.firstToken();
    pool.running.release();
    return pool.controller.queuedRequests();
  }
}

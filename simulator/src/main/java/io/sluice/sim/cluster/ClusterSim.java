package io.sluice.sim.cluster;

import io.sluice.crd.AdmissionMode;
import io.sluice.crd.AdmissionSpec;
import io.sluice.crd.BudgetSpec;
import io.sluice.crd.EngineKind;
import io.sluice.crd.MissAction;
import io.sluice.crd.ModelPoolSpec;
import io.sluice.crd.QueueSpec;
import io.sluice.crd.ServiceObjective;
import io.sluice.crd.Shedding;
import io.sluice.router.admission.AdmissionCallback;
import io.sluice.router.admission.AdmissionListener;
import io.sluice.router.admission.AdmissionRequest;
import io.sluice.router.admission.Decision;
import io.sluice.router.admission.Reservation;
import io.sluice.router.estimate.ApproximateCounter;
import io.sluice.router.estimate.EstimatorListener;
import io.sluice.router.estimate.OutputPredictor;
import io.sluice.router.estimate.ReservationPolicy;
import io.sluice.router.estimate.TokenEstimator;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import io.sluice.router.runtime.EngineSample;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.scoring.RequestSnapshot;
import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.EngineCore;
import io.sluice.sim.engine.EngineListener;
import io.sluice.sim.engine.FinishReason;
import io.sluice.sim.engine.Sequence;
import io.sluice.sim.engine.StepPlan;
import io.sluice.sim.replay.LatencyStats;
import io.sluice.sim.replay.RequestResult;
import io.sluice.sim.replay.Slo;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * One discrete-event run of a workload through a router policy onto a cluster of emulated engines,
 * on a virtual nanosecond clock, with no threads and no I/O. The router is the real one: a
 * {@link PoolRuntime} (admission controller, chain selector over the policy's scoring profile,
 * output predictor, reservation policy) on the virtual clock, fed engine metrics by a simulated
 * scrape every {@code scrapeIntervalNanos} and ticked every 500 ms as the router's fallback timer
 * is. Each pod is an {@link EngineCore} stepping on the same clock.
 *
 * <p>Events: arrivals (from the workload, in order), step ends (one per busy pod), scrapes and
 * ticks. At equal times step ends, scrapes and ticks go first (in the order they were scheduled),
 * then arrivals. A pod that is idle and has work starts its next step at the end of the event that
 * gave it work, as vLLM's engine loop does.
 */
public final class ClusterSim {
  /**
   * @param pods number of engines
   * @param engine every engine's configuration
   * @param slo what counts towards goodput
   * @param scrapeIntervalNanos how often the router reads each engine's metrics (router default 500 ms)
   * @param oracleOutput hand the router the true output length as {@code max_tokens} (labelled oracle)
   * @param seed seeds the policy's random sources
   * @param budget Sluice's budget settings
   * @param queue Sluice's queue settings
   */
  public record Settings(int pods, EngineConfig engine, Slo slo, long scrapeIntervalNanos,
      boolean oracleOutput, long seed, BudgetSpec budget, QueueSpec queue, ServiceObjective objective) {
    /**
     * With Sluice's pool objective set to the benchmark's SLO, refusing predicted misses, as an
     * operator would configure it.
     */
    public Settings(int pods, EngineConfig engine, Slo slo, long scrapeIntervalNanos, boolean oracleOutput, long seed,
        BudgetSpec budget, QueueSpec queue) {
      this(pods, engine, slo, scrapeIntervalNanos, oracleOutput, seed, budget, queue, objectiveOf(slo, null, null));
    }

    /** With the pool's default budget and queue settings, and the SLO as its objective. */
    public Settings(int pods, EngineConfig engine, Slo slo, long scrapeIntervalNanos, boolean oracleOutput, long seed) {
      this(pods, engine, slo, scrapeIntervalNanos, oracleOutput, seed, BudgetSpec.defaults(), QueueSpec.defaults());
    }
  }

  /** The service objective matching {@code slo}; null when there is no SLO. */
  public static ServiceObjective objectiveOf(Slo slo, MissAction onMiss, Shedding shedding) {
    return slo == null ? null : new ServiceObjective(Duration.ofNanos((long) (slo.ttftMillis() * 1e6)),
        Duration.ofNanos((long) (slo.tpotMillis() * 1e6)), onMiss, shedding);
  }

  private static final long TICK_NANOS = 500_000_000L;
  private static final int STEP = 0;
  private static final int SCRAPE = 1;
  private static final int TICK = 2;
  /** Prompt characters the prefix plugin can look at: 32 blocks of 64 tokens, 4 chars each. */
  private static final int PROMPT_CHARS = 32 * 64 * 4;
  private static final String TENANT = "default";

  private record Event(long at, long order, int type, int pod) {}

  private final Settings settings;
  private final Workload work;
  private final Policy policy;
  private final double load;
  private final PoolRuntime runtime;
  private final OutputPredictor predictor;
  private final ReservationPolicy reservations;
  private final EngineCore[] cores;
  private final StepPlan[] plans;
  private final String[] podIds;
  private final Map<String, Integer> podIndex = new HashMap<>();
  private final PriorityQueue<Event> events = new PriorityQueue<>(
      (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
  private final boolean[] dirty;
  private final List<Integer> dirtyPods = new ArrayList<>();
  private final List<Sequence> finished = new ArrayList<>();
  private long now;
  private long order;

  // per request
  private final long[] firstToken;
  private final long[] lastToken;
  private final long[] engineAdmit;
  private final Reservation[] held;
  private final long[] estimatedPrompt;
  private int nextArrival;
  private int completed;
  private int rejected;
  /** Prompt plus output tokens of the refused requests: whether refusals fall on large requests. */
  private long rejectedWork;
  private long outputTokens;
  private long lastEnd;
  private long good;
  private int missedTtft;
  private int missedTpot;
  private final Histogram ttft = LatencyStats.newHistogram();
  private final Histogram itl = LatencyStats.newHistogram();
  private final Histogram e2e = LatencyStats.newHistogram();
  private final Histogram queueWait = LatencyStats.newHistogram();

  /**
   * @param work the workload, arrival offsets already at the rate to simulate
   * @param load the load figure this run stands for (reported only)
   */
  public ClusterSim(Settings settings, Workload work, Policy policy, double load) {
    this.settings = settings;
    this.work = work;
    this.policy = policy;
    this.load = load;
    int n = settings.pods();
    cores = new EngineCore[n];
    plans = new StepPlan[n];
    podIds = new String[n];
    dirty = new boolean[n];
    List<Pod> pods = new ArrayList<>();
    EngineListener listener = new Listener();
    for (int p = 0; p < n; p++) {
      cores[p] = new EngineCore(settings.engine(), listener);
      podIds[p] = "pod-" + p + ":8000";
      podIndex.put(podIds[p], p);
      pods.add(new Pod(podIds[p], "pod-" + p, 8000, false));
    }
    BudgetSpec budget = settings.budget();
    ModelPoolSpec spec = new ModelPoolSpec(List.of("model"), null, EngineKind.VLLM, null, budget, settings.queue(),
        new AdmissionSpec(policy.mode(), policy == Policy.SLUICE ? settings.objective() : null), null, null, null);
    predictor = new OutputPredictor(OutputPredictor.Settings.from(budget));
    reservations = ReservationPolicy.from(budget);
    TokenEstimator estimator = new TokenEstimator(new ApproximateCounter(0), 0, predictor, reservations,
        Runnable::run, EstimatorListener.NONE);
    runtime = new PoolRuntime(new Pool("sim", spec, pods), policy.profile(settings.seed()), AdmissionListener.NONE,
        estimator, () -> now);
    int size = work.size();
    firstToken = new long[size];
    lastToken = new long[size];
    engineAdmit = new long[size];
    Arrays.fill(engineAdmit, -1);
    held = new Reservation[size];
    estimatedPrompt = new long[size];
  }

  /** Runs every request to its end (completed or refused) and returns the figures. */
  public RunResult run() {
    scrape();
    schedule(settings.scrapeIntervalNanos(), SCRAPE, -1);
    schedule(TICK_NANOS, TICK, -1);
    while (outstanding()) {
      Event next = events.peek();
      boolean arrivalFirst = nextArrival < work.size()
          && (next == null || work.offsets[nextArrival] < next.at);
      if (arrivalFirst) {
        now = Math.max(now, work.offsets[nextArrival]);
        arrive(nextArrival++);
      } else {
        events.poll();
        now = next.at;
        switch (next.type) {
          case STEP -> stepEnded(next.pod);
          case SCRAPE -> {
            scrape();
            schedule(now + settings.scrapeIntervalNanos(), SCRAPE, -1);
          }
          case TICK -> {
            runtime.tick();
            schedule(now + TICK_NANOS, TICK, -1);
          }
          default -> throw new IllegalStateException("event type " + next.type);
        }
      }
      startSteps();
    }
    return result();
  }

  private boolean outstanding() {
    return nextArrival < work.size() || completed + rejected < nextArrival;
  }

  private void schedule(long at, int type, int pod) {
    events.add(new Event(at, order++, type, pod));
  }

  private void arrive(int i) {
    int prompt = work.prompt[i];
    long bound = settings.oracleOutput() ? work.output[i] : 0;
    long outputEstimate = predictor.predict(bound, TENANT).tokens();
    long tokens = reservations.reservation(prompt, outputEstimate);
    estimatedPrompt[i] = prompt;
    CharSequence text = usesPromptText() ? work.promptText(i, PROMPT_CHARS) : "";
    RequestSnapshot scoring = new RequestSnapshot("model", null, tokens, prompt, text, TENANT, null, 0);
    AdmissionRequest request = new AdmissionRequest(tokens, 0, "default", TENANT, scoring, Set.of(),
        runtime.objective(null), prompt);
    Decision decision = runtime.admission().admit(request, new AdmissionCallback() {
      @Override
      public void admitted(Reservation reservation, long waitedNanos) {
        dispatch(i, reservation);
      }

      @Override
      public void expired(long waitedNanos) {
        refuse(i);
      }
    });
    if (decision instanceof Decision.Admitted admitted) {
      dispatch(i, admitted.reservation());
    } else if (!(decision instanceof Decision.Queued)) {
      refuse(i); // queue full, larger than any budget, or no pods
    }
  }

  private void refuse(int i) {
    rejected++;
    rejectedWork += work.prompt[i] + work.output[i];
  }

  private boolean usesPromptText() {
    return policy == Policy.SLUICE || policy == Policy.PREFIX_AFFINITY;
  }

  private void dispatch(int i, Reservation reservation) {
    int pod = podIndex.get(reservation.podId());
    held[i] = reservation;
    cores[pod].submit(new Sequence(Integer.toString(i), work.promptTokens(i), work.output[i], FinishReason.STOP,
        null, work.offsets[i]));
    if (!dirty[pod]) {
      dirty[pod] = true;
      dirtyPods.add(pod);
    }
  }

  private void startSteps() {
    for (int k = 0; k < dirtyPods.size(); k++) {
      int pod = dirtyPods.get(k);
      dirty[pod] = false;
      if (plans[pod] == null && cores[pod].hasWork()) {
        StepPlan plan = cores[pod].beginStep(now);
        if (plan != null) {
          plans[pod] = plan;
          schedule(plan.endNanos(), STEP, pod);
        }
      }
    }
    dirtyPods.clear();
  }

  private void stepEnded(int pod) {
    StepPlan plan = plans[pod];
    plans[pod] = null;
    cores[pod].finishStep(plan);
    for (Sequence seq : finished) {
      finish(seq);
    }
    finished.clear();
    if (!dirty[pod]) {
      dirty[pod] = true;
      dirtyPods.add(pod);
    }
  }

  private void finish(Sequence seq) {
    int i = Integer.parseInt(seq.id());
    long arrival = work.offsets[i];
    long ttftNanos = firstToken[i] - arrival;
    long e2eNanos = seq.finishNanos() - arrival;
    record(ttft, ttftNanos);
    record(e2e, e2eNanos);
    record(queueWait, engineAdmit[i] - arrival);
    completed++;
    outputTokens += seq.outputTokens();
    lastEnd = Math.max(lastEnd, seq.finishNanos());
    RequestResult r = new RequestResult(i, podIds[0], work.prompt[i], seq.outputTokens(), true, 200, "", 0,
        ttftNanos, e2eNanos, seq.outputTokens(), 0);
    if (settings.slo().met(r)) {
      good++;
    } else if (ttftNanos > settings.slo().ttftMillis() * 1e6) {
      missedTtft++;
    } else {
      missedTpot++;
    }
    runtime.estimator().observe(TENANT, seq.outputTokens(), 1);
    Reservation reservation = held[i];
    held[i] = null;
    reservation.release(); // may admit queued requests, which submit to engines
  }

  /** The router's growth rule (Relay.grow): a stream that outran its reservation holds more. */
  private void grow(int i, int generated) {
    Reservation reservation = held[i];
    if (reservation == null || policy.mode() != AdmissionMode.ENFORCE) {
      return;
    }
    long needed = estimatedPrompt[i] + generated;
    long have = reservation.tokens();
    if (needed > have && reservation.active()) {
      int block = reservations.blockSize();
      long step = Math.max(needed - have, have / 10);
      reservation.grow((step + block - 1) / block * block);
    }
  }

  private void scrape() {
    for (int p = 0; p < cores.length; p++) {
      EngineCore core = cores[p];
      long queries = core.stats().prefixQueryTokens();
      double hitRate = queries == 0 ? 0 : (double) core.stats().prefixHitTokens() / queries;
      runtime.sampled(podIds[p], new EngineSample(core.numRunning(), core.numWaiting(), core.kvUsage(), Set.of(),
          hitRate, core.stats().preemptions(), (long) core.totalBlocks() * settings.engine().blockSize(), now));
    }
  }

  private static void record(Histogram h, long nanos) {
    h.recordValue(Math.min(h.getHighestTrackableValue(), Math.max(0, nanos / 1000)));
  }

  private RunResult result() {
    long preemptions = 0;
    for (EngineCore core : cores) {
      preemptions += core.stats().preemptions();
    }
    double seconds = Math.max(1, lastEnd - work.offsets[0]) / 1e9;
    LatencyStats t = LatencyStats.of(ttft);
    LatencyStats g = LatencyStats.of(itl);
    LatencyStats e = LatencyStats.of(e2e);
    LatencyStats q = LatencyStats.of(queueWait);
    double rejectedSize = rejected == 0 ? Double.NaN : (double) rejectedWork / rejected / work.meanWork();
    double rejectedShare = rejectedWork / (work.meanWork() * work.size());
    return new RunResult(policy.id(), load, work.meanRate(), work.size(), completed, rejected, rejectedSize, t.p50(),
        t.p99(), g.p99(), e.p99(), q.p50(), q.p99(), completed / seconds, outputTokens / seconds, good / seconds, preemptions,
        runtime.admission().overrunTokens(), seconds, (int) good, missedTtft, missedTpot, rejectedShare);
  }

  /** Told by every engine; records token times and collects ends for after the step. */
  private final class Listener implements EngineListener {
    @Override
    public void onAdmit(Sequence seq, long nowNanos) {
      int i = Integer.parseInt(seq.id());
      if (engineAdmit[i] < 0) {
        engineAdmit[i] = nowNanos;
      }
    }

    @Override
    public void onToken(Sequence seq, int index, long nowNanos) {
      int i = Integer.parseInt(seq.id());
      if (index == 0) {
        firstToken[i] = nowNanos;
        if (held[i] != null) {
          held[i].firstToken(); // its prompt no longer counts as prefill pending on the pod
        }
      } else {
        record(itl, nowNanos - lastToken[i]);
      }
      lastToken[i] = nowNanos;
      grow(i, index + 1);
    }

    @Override
    public void onFinish(Sequence seq, FinishReason reason, long nowNanos) {
      finished.add(seq);
    }
  }
}

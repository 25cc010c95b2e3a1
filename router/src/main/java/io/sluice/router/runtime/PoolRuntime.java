package io.sluice.router.runtime;

import io.sluice.crd.BudgetCoordination;
import io.sluice.crd.BudgetSpec;
import io.sluice.crd.HealthSpec;
import io.sluice.crd.ModelPoolSpec;
import io.sluice.crd.ServiceObjective;
import io.sluice.router.admission.AdaptiveBudget;
import io.sluice.router.admission.AdmissionController;
import io.sluice.router.admission.AdmissionListener;
import io.sluice.router.admission.Outcome;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.estimate.TokenEstimator;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import io.sluice.scoring.EngineMetrics;
import io.sluice.scoring.ScoringProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A pool at run time: its pods with their health and latest engine metrics, its admission
 * controller (budgets and queue) and its estimator. Plain Java; the proxy and the offline
 * simulator drive it.
 *
 * <p>Concurrency: request paths (any event loop) read the pod map, the estimator and the pool's
 * spec and pods through volatile snapshots and never lock. The pod set and the spec change only
 * through {@link #setPods} and {@link #reconfigure}, which are synchronized on this runtime and
 * publish new snapshots; the admission controller keeps every reservation and queued request
 * across both (a removed pod stops taking new requests, its reservations end with their requests).
 * Every pod budget is computed by {@link #budgetOf} and written under this runtime's lock, so a
 * scrape, a new spec and a new replica count never overwrite one another with a stale figure.
 * With {@code coordination: redis} only each pod's ceiling (its whole budget) is set here; the
 * share this replica may reserve comes from the shared ledger's coordinator, which hears of queued
 * requests and releases through {@link #coordinateWith}.
 */
public final class PoolRuntime {
  private final Pool pool;
  private final AdmissionController admission;
  private final ChainSelector selector;
  private volatile TokenEstimator estimator;
  private final LongSupplier clock;
  private volatile Map<String, Pod> podsById = Map.of();
  private final Map<String, PodHealth> health = new ConcurrentHashMap<>();
  private final RetryBudget retries;
  /** Serializes ejection decisions, so two failures at once cannot both take the last allowed slot. */
  private final Object ejecting = new Object();
  private final Map<String, EngineSample> samples = new ConcurrentHashMap<>();
  /** Each pod's adaptive limit ({@code budget.limit: adaptive}); written under this runtime's lock. */
  private final Map<String, AdaptiveBudget> limits = new ConcurrentHashMap<>();
  /** Live router replicas sharing partitioned budgets; written under this runtime's lock. */
  private volatile int replicas = 1;
  private volatile Consumer<Signal> coordinator = signal -> { };
  private volatile Coordination coordination = Coordination.NONE;

  /** What a shared budget ledger hears from the pool's admission. */
  public enum Signal {
    /** A request found no room and waits: a larger share may be needed. */
    QUEUED,
    /** A reservation ended: its tokens may be given back. */
    RELEASED
  }

  /** Where the pool's shares of a shared ledger ({@code coordination: redis}) stand. */
  public enum Coordination {
    /** Not coordinated through a shared ledger. */
    NONE,
    /** Shares granted by the shared ledger. */
    SHARED,
    /** The ledger cannot be reached: budget / live replicas, as {@code partitioned}. */
    FALLBACK
  }

  /**
   * @param profile the pool's scoring profile; it picks the pod each reservation goes to
   * @param listener told of admission outcomes (metrics)
   */
  public PoolRuntime(Pool pool, ScoringProfile profile, AdmissionListener listener, TokenEstimator estimator,
      LongSupplier clock) {
    this.pool = pool;
    this.estimator = estimator;
    this.clock = clock;
    this.selector = new ChainSelector(profile, this::engineMetrics);
    this.admission = new AdmissionController(pool.name(), pool.spec().queue(), pool.spec().admission().mode(),
        selector, new AdmissionListener() {
          @Override
          public void outcome(String trafficClass, Outcome outcome) {
            listener.outcome(trafficClass, outcome);
            if (outcome == Outcome.QUEUED) {
              coordinator.accept(Signal.QUEUED);
            }
          }

          @Override
          public void waited(String trafficClass, long nanos) {
            listener.waited(trafficClass, nanos);
          }

          @Override
          public void released(long tokens) {
            listener.released(tokens);
            coordinator.accept(Signal.RELEASED);
          }
        }, clock);
    HealthSpec checks = pool.spec().health();
    this.retries = new RetryBudget(checks.retryBudgetPercent(), checks.minRetryConcurrency(),
        () -> admission.inFlight() + admission.queuedRequests());
    Map<String, Pod> initial = new LinkedHashMap<>();
    for (Pod pod : pool.pods()) {
      initial.put(pod.id(), pod);
      addPod(pod);
    }
    podsById = initial;
  }

  private void addPod(Pod pod) {
    HealthSpec checks = pool.spec().health();
    health.put(pod.id(), newHealth(checks));
    if (pool.spec().budget().coordination() == BudgetCoordination.REDIS) {
      admission.addPod(pod.id(), 0); // the shared ledger grants this replica's share
      admission.setShare(pod.id(), 0, wholeBudget(pod.id()).orElse(0));
      coordinator.accept(Signal.QUEUED);
    } else {
      admission.addPod(pod.id(), budgetOf(pod.id(), pool.spec().budget()).orElse(0));
    }
  }

  /**
   * The pod's whole budget: with {@code limit: adaptive}, its adaptive limit once the engine has
   * reported; else {@code tokensPerPod}, or with {@code auto} the engine's KV size times
   * {@code utilization}; empty with {@code auto} until the engine has reported its KV size.
   */
  public OptionalLong wholeBudget(String podId) {
    OptionalLong configured = configuredBudget(podId);
    AdaptiveBudget limit = limits.get(podId);
    if (configured.isPresent() && limit != null && limit.limit() >= 0 && pool.spec().budget().adaptive()
        && pool.spec().budget().coordination() != BudgetCoordination.REDIS) {
      return OptionalLong.of(limit.limit());
    }
    return configured;
  }

  /** The budget as configured, before any adaptive limit: {@code tokensPerPod}, or KV size times utilization. */
  private OptionalLong configuredBudget(String podId) {
    BudgetSpec budget = pool.spec().budget();
    if (budget.tokensPerPod().auto()) {
      EngineSample sample = samples.get(podId);
      if (sample == null || sample.kvCapacityTokens() <= 0) {
        return OptionalLong.empty();
      }
      return OptionalLong.of((long) Math.floor(sample.kvCapacityTokens() * budget.utilization()));
    }
    return OptionalLong.of(budget.tokensPerPod().tokens());
  }

  /**
   * Hands the pool's budgets to a shared ledger ({@code coordination: redis}): it hears when a
   * request queues and when a reservation ends, and sets each pod's share.
   */
  public void coordinateWith(Consumer<Signal> coordinator) {
    this.coordinator = coordinator;
  }

  public Coordination coordination() {
    return coordination;
  }

  public void setCoordination(Coordination coordination) {
    this.coordination = coordination;
  }

  /**
   * What the pod may hold under {@code budget}: {@code tokensPerPod}, or with {@code auto} the
   * engine's KV size times {@code utilization}, divided by the live router replicas when the
   * budget is partitioned. Empty with {@code auto} until the engine has reported its KV size.
   */
  private OptionalLong budgetOf(String podId, BudgetSpec budget) {
    OptionalLong whole = wholeBudget(podId);
    if (whole.isEmpty()) {
      return whole;
    }
    return OptionalLong.of(budget.coordination() == BudgetCoordination.PARTITIONED
        ? whole.getAsLong() / replicas : whole.getAsLong());
  }

  /**
   * Sets the pod's budget to {@link #budgetOf} when it is known and differs. With a shared ledger
   * only the ceiling moves here; the ledger sets the share. Caller holds the lock.
   */
  private void refreshBudget(String podId) {
    if (pool.spec().budget().coordination() == BudgetCoordination.REDIS) {
      wholeBudget(podId).ifPresent(whole -> admission.pod(podId).ifPresent(pod -> {
        if (pod.ceiling() != whole) {
          admission.setShare(podId, Math.min(pod.budget(), whole), whole);
          coordinator.accept(Signal.QUEUED);
        }
      }));
      return;
    }
    budgetOf(podId, pool.spec().budget()).ifPresent(tokens -> {
      if (admission.pod(podId).map(p -> p.budget() != tokens).orElse(false)) {
        admission.setBudget(podId, tokens);
      }
    });
  }

  /**
   * The number of live router replicas changed: partitioned budgets become budget / {@code count}
   * at once (admitted requests keep their reservations; a pod over its new budget admits nothing
   * until enough of them end).
   */
  public synchronized void setReplicas(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("replicas must be at least 1: " + count);
    }
    replicas = count;
    podsById.keySet().forEach(this::refreshBudget);
  }

  /** The live router replicas this runtime divides partitioned budgets by. */
  public int replicas() {
    return replicas;
  }

  private static PodHealth newHealth(HealthSpec checks) {
    return new PodHealth(checks.consecutiveFailures(), checks.maxFailureRatio(), checks.ejectionTime().toNanos(),
        checks.maxEjectionTime().toNanos());
  }

  /**
   * Makes {@code pods} the pool's pod set. New pods join with the pool's budget (or 0 until their
   * engine reports its KV size); pods gone stop taking new requests at once while the requests
   * they hold finish and release; a pod whose address changed is replaced. Returns the ids of the
   * pods removed (replaced ones included), for whoever keeps per-pod state elsewhere.
   */
  public synchronized List<String> setPods(List<Pod> pods) {
    Map<String, Pod> next = new LinkedHashMap<>();
    pods.forEach(pod -> next.put(pod.id(), pod));
    Map<String, Pod> current = podsById;
    List<String> removed = new ArrayList<>();
    current.forEach((id, pod) -> {
      if (!pod.equals(next.get(id))) {
        admission.removePod(id);
        health.remove(id);
        samples.remove(id);
        limits.remove(id);
        removed.add(id);
      }
    });
    next.forEach((id, pod) -> {
      if (!pod.equals(current.get(id))) {
        addPod(pod);
      }
    });
    // Published last: a request that sees a pod in the pool finds it in the ledger too.
    podsById = Map.copyOf(next);
    pool.setPods(List.copyOf(next.values()));
    return removed;
  }

  /**
   * Applies a changed spec of the same pool. Queue limits and mode, budgets, health thresholds and
   * the scoring profile change in place; a new {@code estimator} replaces the old one (pass the
   * current one to keep what it has learned). Reservations and queued requests are kept.
   */
  public synchronized void reconfigure(ModelPoolSpec spec, ScoringProfile profile, TokenEstimator estimator) {
    ModelPoolSpec before = pool.spec();
    pool.setSpec(spec);
    selector.setProfile(profile);
    this.estimator = estimator;
    retries.set(spec.health().retryBudgetPercent(), spec.health().minRetryConcurrency());
    if (!Objects.equals(before.health(), spec.health())) {
      // New thresholds: failure runs restart, and ejected pods come back (re-ejected if still failing).
      for (String podId : podsById.keySet()) {
        health.put(podId, newHealth(spec.health()));
        admission.setEjected(podId, false);
      }
    }
    if (before.budget().coordination() != BudgetCoordination.REDIS
        && spec.budget().coordination() == BudgetCoordination.REDIS) {
      // Nothing this replica held so far is recorded in the shared ledger: start from no share.
      podsById.keySet().forEach(podId -> admission.setShare(podId, 0, wholeBudget(podId).orElse(0)));
    }
    if (!Objects.equals(before.budget(), spec.budget())) {
      limits.clear(); // a new configured budget: the adaptive limits start again from it
    }
    podsById.keySet().forEach(this::refreshBudget);
    admission.reconfigure(spec.queue(), spec.admission().mode());
  }

  /**
   * The service objective a request of {@code caller} is held to: its traffic class's, else the
   * pool's {@code admission.objective}; null when neither sets one.
   */
  public ServiceObjective objective(Caller caller) {
    ServiceObjective own = caller == null ? null : caller.objective();
    return own != null ? own : pool.spec().admission().objective();
  }

  public Pool pool() {
    return pool;
  }

  public String name() {
    return pool.name();
  }

  public AdmissionController admission() {
    return admission;
  }

  /** The scoring profile in force. */
  public ScoringProfile profile() {
    return selector.profile();
  }

  public TokenEstimator estimator() {
    return estimator;
  }

  /** The pod with this id, or null. */
  public Pod pod(String podId) {
    return podsById.get(podId);
  }

  /** A scrape of the pod's metrics page arrived; with {@code tokensPerPod: auto} it sets the budget. */
  public void sampled(String podId, EngineSample sample) {
    if (!podsById.containsKey(podId)) {
      return; // the pod went away while its page was being read
    }
    samples.put(podId, sample);
    BudgetSpec budget = pool.spec().budget();
    boolean adapt = budget.adaptive() && budget.coordination() != BudgetCoordination.REDIS
        && sample.kvCapacityTokens() > 0;
    if (budget.tokensPerPod().auto() && sample.kvCapacityTokens() > 0 || adapt) {
      synchronized (this) {
        if (adapt) {
          adapt(podId, sample);
        }
        refreshBudget(podId);
      }
    }
  }

  /** One step of the pod's adaptive limit, from a fresh sample. Caller holds the lock. */
  private void adapt(String podId, EngineSample sample) {
    OptionalLong configured = configuredBudget(podId);
    if (configured.isEmpty()) {
      return;
    }
    boolean binding = admission.queuedRequests() > 0 || admission.pod(podId)
        .map(pod -> pod.budget() > 0 && pod.reserved() >= 0.9 * pod.budget()).orElse(false);
    limits.computeIfAbsent(podId, id -> AdaptiveBudget.standard())
        .update(sample.kvCapacityTokens(), configured.getAsLong(), sample.kvCacheUsage(), sample.preemptions(), binding);
  }

  /** Preemptions the pod's engine reported in its latest scrape, however old (0 before any). */
  public double enginePreemptions(String podId) {
    EngineSample sample = samples.get(podId);
    return sample == null ? 0 : sample.preemptions();
  }

  /** The pod's latest engine metrics, or null when none is fresher than the staleness bound. */
  public EngineSample freshSample(String podId) {
    EngineSample sample = samples.get(podId);
    long staleAfter = pool.spec().health().metricsStaleAfter().toNanos();
    return sample == null || clock.getAsLong() - sample.scrapedAtNanos() > staleAfter ? null : sample;
  }

  /** The pod's engine metrics for scoring: {@link EngineMetrics#UNKNOWN} without a fresh scrape. */
  public EngineMetrics engineMetrics(String podId) {
    EngineSample sample = freshSample(podId);
    if (sample == null) {
      return EngineMetrics.UNKNOWN;
    }
    return new EngineMetrics(true, sample.running(), sample.waiting(), Math.max(0, sample.kvCacheUsage()),
        sample.loadedAdapters(), Math.max(0, sample.prefixHitRate()),
        (clock.getAsLong() - sample.scrapedAtNanos()) / 1_000_000);
  }

  /**
   * A connection failure, a reset before any answer, or a 5xx answer (503 included) from the pod.
   * When that makes the pod due for ejection it is ejected, unless {@code maxEjectedPercent} of the
   * pool's pods are out already (then it stays in, and the next failure asks again).
   */
  public void upstreamFailed(String podId) {
    PodHealth pod = health.get(podId);
    long now = clock.getAsLong();
    if (pod == null || !pod.failed(now)) {
      return;
    }
    synchronized (ejecting) {
      int pods = podsById.size();
      long out = health.values().stream().filter(PodHealth::ejected).count();
      int allowed = Math.max(1, pods * pool.spec().health().maxEjectedPercent() / 100);
      if (out >= allowed || pod.ejected()) {
        return;
      }
      pod.eject(now);
    }
    admission.setEjected(podId, true);
    admission.setProbation(podId, false);
  }

  /** The pool's retry budget: a retry or requeue takes a unit of it first. */
  public RetryBudget retries() {
    return retries;
  }

  public void upstreamSucceeded(String podId) {
    PodHealth pod = health.get(podId);
    if (pod != null && pod.succeeded()) {
      admission.setProbation(podId, false);
    }
  }

  public boolean ejected(String podId) {
    PodHealth pod = health.get(podId);
    return pod != null && pod.ejected();
  }

  /**
   * Null while at least one pod can take a request (it is in rotation and has a budget); else why
   * none can, in words an operator can act on (without the pool's name): for {@code /readyz}, the
   * log and the 503 a client gets.
   */
  public String unservable() {
    List<PodBudget> pods = admission.pods();
    if (pods.isEmpty()) {
      return "it has no pods (no endpoints configured, or none discovered yet)";
    }
    boolean budgeted = false;
    for (PodBudget pod : pods) {
      if (pod.ceiling() > 0) {
        if (pod.accepting()) {
          return null;
        }
        budgeted = true;
      }
    }
    if (budgeted) {
      return "every pod with a budget is ejected (failing) or leaving the pool";
    }
    return pool.spec().budget().tokensPerPod().auto()
        ? "no pod has reported its KV-cache size yet; set spec.budget.tokensPerPod or check the engines' "
            + "/metrics (vllm:cache_config_info, sglang:max_total_num_tokens)"
        : "every pod's budget is 0 tokens";
  }

  /** The fallback timer: reinstates pods whose ejection ran out, expires old waiters, dispatches. */
  public void tick() {
    long now = clock.getAsLong();
    health.forEach((podId, pod) -> {
      if (pod.reinstateIfDue(now)) {
        admission.setProbation(podId, true); // before it is back: its first request is a probe
        admission.setEjected(podId, false);
      }
    });
    admission.tick();
  }
}

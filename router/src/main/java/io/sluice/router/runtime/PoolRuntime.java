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
import io.sluice.router.runtime.PodSet.Member;
import io.sluice.scoring.EngineMetrics;
import io.sluice.scoring.ScoringProfile;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A pool at run time: its pods with their health and latest engine metrics, its admission
 * controller (budgets and queue) and its estimator. Plain Java; the proxy and the offline
 * simulator drive it.
 *
 * <p>Concurrency: request paths (any event loop) read the pod set ({@link PodSet}), the estimator
 * and the pool's spec and pods through volatile snapshots and never lock. The pod set and the spec
 * change only through {@link #setPods} and {@link #reconfigure}, which are synchronized on this
 * runtime and publish new snapshots; the admission controller keeps every reservation and queued
 * request across both (a removed pod stops taking new requests, its reservations end with their
 * requests). Every pod budget is decided by {@link BudgetPolicy} and written under this runtime's
 * lock, so a scrape, a new spec and a new replica count never overwrite one another with a stale
 * figure.
 * With {@code coordination: redis} only each pod's ceiling (its whole budget) is set here; the
 * share this replica may reserve comes from the shared ledger's coordinator, which hears of queued
 * requests and releases through {@link #coordinateWith}.
 */
public final class PoolRuntime {
  private final Pool pool;
  private final AdmissionController admission;
  private final ChainPicker picker;
  private volatile TokenEstimator estimator;
  private final LongSupplier clock;
  /** The pods, each with its health, latest scrape and adaptive limit; replaced under this runtime's lock. */
  private final PodSet pods;
  private final RetryBudget retries;
  /** Serializes ejection decisions, so two failures at once cannot both take the last allowed slot. */
  private final Object ejecting = new Object();
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
    this.picker = new ChainPicker(profile, this::engineMetrics);
    this.admission = new AdmissionController(pool.name(), pool.spec().queue(), pool.spec().admission().mode(),
        picker, new AdmissionListener() {
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
    this.pods = new PodSet(pool);
    pods.replace(pool.pods(), () -> newHealth(checks), membership); // not shared yet: no lock needed
  }

  /** Keeps the admission ledger's pods in step with {@link #pods}. Called under this runtime's lock. */
  private final PodSet.Changes membership = new PodSet.Changes() {
    @Override
    public void left(String podId) {
      admission.removePod(podId);
    }

    @Override
    public void joined(Member member) {
      String podId = member.id();
      if (pool.spec().budget().coordination() == BudgetCoordination.REDIS) {
        admission.addPod(podId, 0); // the shared ledger grants this replica's share
        admission.setShare(podId, 0, wholeBudget(member).orElse(0));
        coordinator.accept(Signal.QUEUED);
      } else {
        admission.addPod(podId, forReplica(member).orElse(0));
      }
    }
  };

  /**
   * The pod's whole budget: with {@code limit: adaptive}, its adaptive limit once the engine has
   * reported; else {@code tokensPerPod}, or with {@code auto} the engine's KV size times
   * {@code utilization}; empty with {@code auto} until the engine has reported its KV size.
   */
  public OptionalLong wholeBudget(String podId) {
    Member member = pods.member(podId);
    return member == null ? BudgetPolicy.whole(pool.spec().budget(), 0, -1) : wholeBudget(member);
  }

  private OptionalLong wholeBudget(Member member) {
    return BudgetPolicy.whole(pool.spec().budget(), member.kvCapacityTokens(), member.adaptiveLimit());
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

  /** What this replica may reserve on the pod ({@link BudgetPolicy#forReplica}); empty until known. */
  private OptionalLong forReplica(Member member) {
    return BudgetPolicy.forReplica(pool.spec().budget(), wholeBudget(member), replicas);
  }

  /**
   * Sets the pod's budget to {@link #forReplica} when it is known and differs. With a shared ledger
   * only the ceiling moves here; the ledger sets the share. Caller holds the lock.
   */
  private void refreshBudget(Member member) {
    String podId = member.id();
    if (pool.spec().budget().coordination() == BudgetCoordination.REDIS) {
      wholeBudget(member).ifPresent(whole -> admission.pod(podId).ifPresent(pod -> {
        if (pod.ceiling() != whole) {
          admission.setShare(podId, Math.min(pod.budget(), whole), whole);
          coordinator.accept(Signal.QUEUED);
        }
      }));
      return;
    }
    forReplica(member).ifPresent(tokens -> {
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
    pods.all().forEach(this::refreshBudget);
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
    return this.pods.replace(pods, () -> newHealth(pool.spec().health()), membership);
  }

  /**
   * Applies a changed spec of the same pool. Queue limits and mode, budgets, health thresholds and
   * the scoring profile change in place; a new {@code estimator} replaces the old one (pass the
   * current one to keep what it has learned). Reservations and queued requests are kept.
   */
  public synchronized void reconfigure(ModelPoolSpec spec, ScoringProfile profile, TokenEstimator estimator) {
    ModelPoolSpec before = pool.spec();
    pool.setSpec(spec);
    picker.setProfile(profile);
    this.estimator = estimator;
    retries.set(spec.health().retryBudgetPercent(), spec.health().minRetryConcurrency());
    if (!Objects.equals(before.health(), spec.health())) {
      // New thresholds: failure runs restart, and ejected pods come back (re-ejected if still failing).
      for (Member member : pods.all()) {
        member.health = newHealth(spec.health());
        admission.setEjected(member.id(), false);
      }
    }
    if (before.budget().coordination() != BudgetCoordination.REDIS
        && spec.budget().coordination() == BudgetCoordination.REDIS) {
      // Nothing this replica held so far is recorded in the shared ledger: start from no share.
      pods.all().forEach(member -> admission.setShare(member.id(), 0, wholeBudget(member).orElse(0)));
    }
    if (!Objects.equals(before.budget(), spec.budget())) {
      pods.all().forEach(member -> member.limit = null); // a new configured budget: limits start again from it
    }
    pods.all().forEach(this::refreshBudget);
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
    return picker.profile();
  }

  public TokenEstimator estimator() {
    return estimator;
  }

  /** The pod with this id, or null. */
  public Pod pod(String podId) {
    Member member = pods.member(podId);
    return member == null ? null : member.pod;
  }

  /** A scrape of the pod's metrics page arrived; with {@code tokensPerPod: auto} it sets the budget. */
  public void sampled(String podId, EngineSample sample) {
    Member member = pods.member(podId);
    if (member == null) {
      return; // the pod went away while its page was being read
    }
    member.sample = sample;
    BudgetSpec budget = pool.spec().budget();
    if (BudgetPolicy.movedByScrape(budget, sample.kvCapacityTokens())) {
      synchronized (this) {
        if (pods.member(podId) != member) {
          return; // it left (or was replaced) meanwhile: its budget is no longer this member's
        }
        if (BudgetPolicy.adapts(budget)) {
          adapt(member, sample);
        }
        refreshBudget(member);
      }
    }
  }

  /** One step of the pod's adaptive limit, from a fresh sample. Caller holds the lock. */
  private void adapt(Member member, EngineSample sample) {
    OptionalLong configured = BudgetPolicy.configured(pool.spec().budget(), sample.kvCapacityTokens());
    if (configured.isEmpty()) {
      return;
    }
    Optional<PodBudget> pod = admission.pod(member.id());
    boolean binding = BudgetPolicy.binding(admission.queuedRequests(), pod.map(PodBudget::budget).orElse(0L),
        pod.map(PodBudget::reserved).orElse(0L));
    if (member.limit == null) {
      member.limit = AdaptiveBudget.standard();
    }
    member.limit.update(sample.kvCapacityTokens(), configured.getAsLong(), sample.kvCacheUsage(), sample.preemptions(),
        binding);
  }

  /** Preemptions the pod's engine reported in its latest scrape, however old (0 before any). */
  public double enginePreemptions(String podId) {
    EngineSample sample = latestSample(podId);
    return sample == null ? 0 : sample.preemptions();
  }

  private EngineSample latestSample(String podId) {
    Member member = pods.member(podId);
    return member == null ? null : member.sample;
  }

  /** The pod's latest engine metrics, or null when none is fresher than the staleness bound. */
  public EngineSample freshSample(String podId) {
    EngineSample sample = latestSample(podId);
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
    PodHealth pod = health(podId);
    long now = clock.getAsLong();
    if (pod == null || !pod.failed(now)) {
      return;
    }
    synchronized (ejecting) {
      long out = pods.all().stream().filter(member -> member.health.ejected()).count();
      int allowed = Math.max(1, pods.size() * pool.spec().health().maxEjectedPercent() / 100);
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

  private PodHealth health(String podId) {
    Member member = pods.member(podId);
    return member == null ? null : member.health;
  }

  public void upstreamSucceeded(String podId) {
    PodHealth pod = health(podId);
    if (pod != null && pod.succeeded()) {
      admission.setProbation(podId, false);
    }
  }

  public boolean ejected(String podId) {
    PodHealth pod = health(podId);
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
    for (Member member : pods.all()) {
      if (member.health.reinstateIfDue(now)) {
        admission.setProbation(member.id(), true); // before it is back: its first request is a probe
        admission.setEjected(member.id(), false);
      }
    }
    admission.tick();
  }
}

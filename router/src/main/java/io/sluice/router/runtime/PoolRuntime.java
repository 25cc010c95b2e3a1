package io.sluice.router.runtime;

import io.sluice.crd.BudgetSpec;
import io.sluice.crd.HealthSpec;
import io.sluice.router.admission.AdmissionController;
import io.sluice.router.admission.AdmissionListener;
import io.sluice.router.estimate.TokenEstimator;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import io.sluice.scoring.EngineMetrics;
import io.sluice.scoring.ScoringProfile;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A pool at run time: its pods with their health and latest engine metrics, its admission
 * controller (budgets and queue) and its estimator. Plain Java; the proxy and the offline
 * simulator drive it.
 */
public final class PoolRuntime {
  private final Pool pool;
  private final AdmissionController admission;
  private final TokenEstimator estimator;
  private final LongSupplier clock;
  private final Map<String, Pod> podsById = new LinkedHashMap<>();
  private final Map<String, PodHealth> health = new LinkedHashMap<>();
  private final Map<String, EngineSample> samples = new ConcurrentHashMap<>();

  /**
   * @param profile the pool's scoring profile; it picks the pod each reservation goes to
   * @param listener told of admission outcomes (metrics)
   */
  public PoolRuntime(Pool pool, ScoringProfile profile, AdmissionListener listener, TokenEstimator estimator,
      LongSupplier clock) {
    this.pool = pool;
    this.estimator = estimator;
    this.clock = clock;
    this.admission = new AdmissionController(pool.name(), pool.spec().queue(), pool.spec().admission().mode(),
        new ChainSelector(profile, this::engineMetrics), listener, clock);
    BudgetSpec budget = pool.spec().budget();
    HealthSpec checks = pool.spec().health();
    for (Pod pod : pool.pods()) {
      podsById.put(pod.id(), pod);
      health.put(pod.id(), new PodHealth(checks.consecutiveFailures(), checks.ejectionTime().toNanos(),
          checks.maxEjectionTime().toNanos()));
      admission.addPod(pod.id(), budget.tokensPerPod().auto() ? 0 : budget.tokensPerPod().tokens());
    }
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

  public TokenEstimator estimator() {
    return estimator;
  }

  /** The pod with this id, or null. */
  public Pod pod(String podId) {
    return podsById.get(podId);
  }

  /** A scrape of the pod's metrics page arrived; with {@code tokensPerPod: auto} it sets the budget. */
  public void sampled(String podId, EngineSample sample) {
    samples.put(podId, sample);
    BudgetSpec budget = pool.spec().budget();
    if (budget.tokensPerPod().auto() && sample.kvCapacityTokens() > 0) {
      long tokens = (long) Math.floor(sample.kvCapacityTokens() * budget.utilization());
      if (admission.pod(podId).map(p -> p.budget() != tokens).orElse(false)) {
        admission.setBudget(podId, tokens);
      }
    }
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

  /** A connection failure, a reset before any answer, or a 5xx answer from the pod. */
  public void upstreamFailed(String podId) {
    PodHealth pod = health.get(podId);
    if (pod != null && pod.failed(clock.getAsLong())) {
      admission.setEjected(podId, true);
    }
  }

  public void upstreamSucceeded(String podId) {
    PodHealth pod = health.get(podId);
    if (pod != null) {
      pod.succeeded();
    }
  }

  public boolean ejected(String podId) {
    PodHealth pod = health.get(podId);
    return pod != null && pod.ejected();
  }

  /** The fallback timer: reinstates pods whose ejection ran out, expires old waiters, dispatches. */
  public void tick() {
    long now = clock.getAsLong();
    health.forEach((podId, pod) -> {
      if (pod.reinstateIfDue(now)) {
        admission.setEjected(podId, false);
      }
    });
    admission.tick();
  }
}

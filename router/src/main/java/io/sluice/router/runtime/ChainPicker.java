package io.sluice.router.runtime;

import io.sluice.router.admission.AdmissionRequest;
import io.sluice.router.admission.MostHeadroom;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.admission.PodPicker;
import io.sluice.scoring.Endpoint;
import io.sluice.scoring.EngineMetrics;
import io.sluice.scoring.RequestSnapshot;
import io.sluice.scoring.ScoringProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Chooses the pod with the pool's scoring profile (filters, weighted scorers, picker) over live
 * views of the pods: their budgets and reservations from the ledger, their engine metrics from the
 * latest fresh scrape. In observe mode, when the filters leave nothing (nothing fits), the pod
 * with the most headroom is taken so the request still flows.
 *
 * <p>Concurrency: the profile is a volatile reference; a new one (the ModelPool's scoring changed)
 * applies from the next selection on.
 */
public final class ChainPicker implements PodPicker {
  private volatile ScoringProfile profile;
  private final Function<String, EngineMetrics> metrics;
  private final MostHeadroom fallback = new MostHeadroom();

  /**
   * @param metrics the engine metrics of a pod by id, {@link EngineMetrics#UNKNOWN} when stale
   */
  public ChainPicker(ScoringProfile profile, Function<String, EngineMetrics> metrics) {
    this.profile = profile;
    this.metrics = metrics;
  }

  public ScoringProfile profile() {
    return profile;
  }

  /** Scores with {@code profile} from now on. */
  public void setProfile(ScoringProfile profile) {
    this.profile = profile;
  }

  @Override
  public PodBudget pick(List<PodBudget> pods, AdmissionRequest request, boolean mustFit) {
    List<Endpoint> candidates = new ArrayList<>(pods.size());
    for (PodBudget pod : pods) {
      if (pod.takesRequestNow()) {
        candidates.add(new PodView(pod, metrics.apply(pod.podId())));
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    Endpoint chosen = profile.pick(request.scoring() != null ? request.scoring()
        : RequestSnapshot.of("", request.tokens()), candidates,
        request.scoring() instanceof RouterScoringRequest sink ? sink : null);
    if (chosen == null) {
      return mustFit ? null : fallback.pick(pods, request, false);
    }
    return ((PodView) chosen).pod;
  }

  /** A pod as the plugins see it; reads the ledger's live counters. */
  private record PodView(PodBudget pod, EngineMetrics engine) implements Endpoint {
    @Override
    public String id() {
      return pod.podId();
    }

    @Override
    public long budgetTokens() {
      return pod.budget();
    }

    @Override
    public long reservedTokens() {
      return pod.reserved();
    }

    @Override
    public int inFlightRequests() {
      return pod.inFlight();
    }

    @Override
    public long inFlightTokens() {
      return pod.reserved();
    }

    @Override
    public long pendingPrefillTokens() {
      return pod.pendingPrefill();
    }

    @Override
    public EngineMetrics metrics() {
      return engine;
    }
  }
}

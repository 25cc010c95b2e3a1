package io.sluice.router.admission;

import io.sluice.crd.ServiceObjective;
import io.sluice.scoring.ScoringRequest;
import java.util.Set;

/**
 * What admission needs to know about a request.
 *
 * @param tokens tokens to reserve (prompt plus predicted output)
 * @param priority the caller's traffic class priority
 * @param trafficClass name of the caller's traffic class, for metrics
 * @param tenant who pays inside the class, for token-fair ordering
 * @param scoring what the pod selector's scoring plugins look at; null when none is needed
 * @param avoid pods to use only when no other pod can take the request (ones that just answered
 *     it with 429 / 503); empty for a new request
 * @param objective what the request is promised (its class's, else its pool's); null: nothing
 * @param promptTokens the prompt's tokens (the prefill it costs); 0 when unknown
 */
public record AdmissionRequest(long tokens, int priority, String trafficClass, String tenant,
    ScoringRequest scoring, Set<String> avoid, ServiceObjective objective, long promptTokens) {

  public AdmissionRequest {
    avoid = avoid == null ? Set.of() : Set.copyOf(avoid);
  }

  public AdmissionRequest(long tokens, int priority, String trafficClass, String tenant, ScoringRequest scoring,
      Set<String> avoid) {
    this(tokens, priority, trafficClass, tenant, scoring, avoid, null, 0);
  }

  public AdmissionRequest(long tokens, int priority, String trafficClass, String tenant) {
    this(tokens, priority, trafficClass, tenant, null, Set.of());
  }

  /** The time to first token promised, in nanoseconds; 0 when none. */
  public long ttftObjectiveNanos() {
    return objective == null ? 0 : objective.ttftNanos();
  }

  /** Whether the request is refused at arrival when predicted to miss its first-token objective. */
  public boolean refusesPredictedMiss() {
    return objective != null && objective.refusesPredictedMisses();
  }
}

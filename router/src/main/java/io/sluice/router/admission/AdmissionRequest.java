package io.sluice.router.admission;

import io.sluice.scoring.ScoringRequest;
import java.util.Set;

/**
 * What admission needs to know of a request.
 *
 * @param tokens tokens to reserve (already clamped and rounded to KV blocks)
 * @param priority from the caller's traffic class; larger goes first
 * @param trafficClass the class name, for per-class limits and metrics
 * @param tenant who pays, for token-fair ordering and metrics
 * @param scoring what the pod selector's scoring plugins look at; null when none is needed
 * @param avoid pods to use only when no other pod can take the request (ones that just answered
 *     it with 429 / 503); empty for a new request
 */
public record AdmissionRequest(long tokens, int priority, String trafficClass, String tenant,
    ScoringRequest scoring, Set<String> avoid) {

  public AdmissionRequest {
    avoid = avoid == null ? Set.of() : Set.copyOf(avoid);
  }

  public AdmissionRequest(long tokens, int priority, String trafficClass, String tenant) {
    this(tokens, priority, trafficClass, tenant, null, Set.of());
  }
}

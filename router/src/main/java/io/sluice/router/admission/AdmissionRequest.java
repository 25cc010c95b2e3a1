package io.sluice.router.admission;

import io.sluice.scoring.ScoringRequest;

/**
 * What admission needs to know of a request.
 *
 * @param tokens tokens to reserve (already clamped and rounded to KV blocks)
 * @param priority from the caller's traffic class; larger goes first
 * @param trafficClass the class name, for per-class limits and metrics
 * @param tenant who pays, for token-fair ordering and metrics
 * @param scoring what the pod selector's scoring plugins look at; null when none is needed
 */
public record AdmissionRequest(long tokens, int priority, String trafficClass, String tenant,
    ScoringRequest scoring) {

  public AdmissionRequest(long tokens, int priority, String trafficClass, String tenant) {
    this(tokens, priority, trafficClass, tenant, null);
  }
}

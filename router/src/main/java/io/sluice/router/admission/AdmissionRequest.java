package io.sluice.router.admission;

/**
 * What admission needs to know of a request.
 *
 * @param tokens tokens to reserve (already clamped and rounded to KV blocks)
 * @param priority from the caller's traffic class; larger goes first
 * @param trafficClass the class name, for per-class limits and metrics
 * @param tenant who pays, for token-fair ordering and metrics
 */
public record AdmissionRequest(long tokens, int priority, String trafficClass, String tenant) {}

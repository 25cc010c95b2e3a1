package io.sluice.router.admission;

import java.util.HashMap;
import java.util.Map;

/**
 * Token-fair order among tenants of equal priority (start-time fair queueing charged in tokens):
 * a request enters the queue as if it arrived when its tenant's earlier queued tokens will have
 * drained at the pool's observed rate. A tenant that floods the queue pushes only its own later
 * requests back; a tenant with one request goes ahead of them. The tag replaces the arrival time in
 * the queue's time-invariant key, so age boosting still applies.
 *
 * <p>Concurrency: used only under the admission queue's lock.
 */
final class FairShare {
  /** Used while no drain rate has been observed yet. */
  static final double DEFAULT_TOKENS_PER_SECOND = 1000;
  /** More tenants than this with work queued: new ones fall back to arrival order. */
  private static final int MAX_TENANTS = 100_000;

  private final Map<String, Double> finishTags = new HashMap<>();

  /** The start tag, in seconds since the queue's epoch, of a request arriving at {@code now}. */
  double startTag(AdmissionRequest request, double now, double tokensPerSecond) {
    String tenant = request.trafficClass() + '\0' + request.tenant();
    Double finish = finishTags.get(tenant);
    double start = finish == null ? now : Math.max(now, finish);
    if (finish != null || finishTags.size() < MAX_TENANTS) {
      double rate = tokensPerSecond > 0 ? tokensPerSecond : DEFAULT_TOKENS_PER_SECOND;
      finishTags.put(tenant, start + request.tokens() / rate);
    }
    return start;
  }

  /** Drops tenants whose queued tokens have all drained by {@code now}; they start afresh. */
  void forgetBefore(double now) {
    finishTags.values().removeIf(finish -> finish <= now);
  }
}

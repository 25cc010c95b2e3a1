package io.sluice.router.proxy;

import io.sluice.router.api.ApiKind;
import io.sluice.router.api.InferenceRequest;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Per-request state of one proxied call: what was asked, where it went, how it ended.
 *
 * <p>Concurrency: confined to the event loop of the client's connection; the HTTP client runs its
 * callbacks on the caller's context, so no field here is touched by two threads.
 */
final class Exchange {
  final RoutingContext ctx;
  final ApiKind kind;
  final long startNanos;
  InferenceRequest request;
  Pool pool;
  Pod pod;
  int attempts;
  HttpClientRequest upstream;
  long responseTimer = -1;
  boolean timedOut;
  boolean clientClosed;
  boolean streamFailed;

  Exchange(RoutingContext ctx, ApiKind kind, long startNanos) {
    this.ctx = ctx;
    this.kind = kind;
    this.startNanos = startNanos;
  }

  String modelTag() {
    return pool == null ? RouterMetrics.NONE : request.model();
  }

  String poolTag() {
    return pool == null ? RouterMetrics.NONE : pool.name();
  }

  String podTag() {
    return pod == null ? "-" : pod.id();
  }
}

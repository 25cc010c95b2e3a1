package io.sluice.router.proxy;

import io.sluice.crd.ServiceObjective;
import io.sluice.router.admission.AdmissionRequest;
import io.sluice.router.admission.Reservation;
import io.sluice.router.admission.Waiter;
import io.sluice.router.api.ApiKind;
import io.sluice.router.api.InferenceRequest;
import io.sluice.router.estimate.CostEstimate;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.pool.Pod;
import io.sluice.router.runtime.Caller;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.scoring.ScoringRequest;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.Set;

/**
 * Per-request state of one proxied call: what was asked, what it costs, where it went, how it
 * ended. The reservation is released exactly once, in {@link ProxyHandler}'s end handler, whatever
 * the path (success, engine error, timeout, client gone).
 *
 * <p>Concurrency: confined to the event loop of the client's connection ({@link #context}). Work
 * finishing elsewhere (estimation on a worker, admission from the queue on whichever thread freed
 * capacity) hops back with {@code context.runOnContext} before touching any field.
 */
final class Exchange {
  final RoutingContext ctx;
  final Context context;
  final ApiKind kind;
  final long startNanos;
  InferenceRequest request;
  PoolRuntime runtime;
  Caller caller;
  /** Whose output lengths this request learns from and teaches (tenant, API key or address). */
  String source;
  CostEstimate cost;
  /** The service objective the request is held to (its class's or its pool's); null: none. */
  ServiceObjective objective;
  /** The queue wait admission predicted (0 when admitted at once), and when the first output token came. */
  long predictedWaitNanos;
  long firstTokenNanos;
  long lastTokenNanos;
  ScoringRequest scoring;
  Waiter waiter;
  Reservation reservation;
  Buffer body;
  boolean hideUsage;
  UsageWatcher usage;
  Pod pod;
  int attempts;
  int requeues;
  final Set<String> tried = new HashSet<>();
  /** Pods that answered this request 429 / 503. */
  final Set<String> pressured = new HashSet<>();
  /** Whether this exchange holds a unit of its pool's retry budget (given back when it ends). */
  boolean retryBudgetHeld;
  HttpClientRequest upstream;
  /** The attempt's timer (-1 when none) and when it is due: response timeout, then idle timeout. */
  long timer = -1;
  long timerDueNanos;
  /** When the request was sent to the pod, whether its response headers came, and the last chunk's time. */
  long sentNanos;
  boolean answered;
  long lastChunkNanos;
  /** Bytes of the response received in this event-loop turn, not yet written to the client (null when none). */
  Buffer held;
  /** Whether {@link #held} is a buffer of the router's own, which more bytes may be appended to. */
  boolean heldGrows;
  /** True while the pod's response is paused because the client's write queue is full, and since when. */
  boolean upstreamPaused;
  long pausedSinceNanos;
  /** Whether the answer being relayed is an event stream. */
  boolean sse;
  /** Set when the router ended the request itself (client write timeout, max stream duration). */
  boolean cutOff;
  boolean timedOut;
  boolean clientClosed;
  boolean streamFailed;
  boolean finished;

  Exchange(RoutingContext ctx, Context context, ApiKind kind, long startNanos) {
    this.ctx = ctx;
    this.context = context;
    this.kind = kind;
    this.startNanos = startNanos;
  }

  /** What admission is asked for: the estimate's reservation, the caller's class, the scoring view. */
  AdmissionRequest admissionRequest() {
    return new AdmissionRequest(cost.reservationTokens(), caller.priority(), caller.trafficClass(), caller.tenant(),
        scoring, tried, objective, cost.promptTokens());
  }

  /** True once nobody will read an answer: the client left, the response was completed or cut off. */
  boolean over() {
    return finished || clientClosed || cutOff;
  }

  String modelTag() {
    return runtime == null ? RouterMetrics.NONE : request.model();
  }

  String poolTag() {
    return runtime == null ? RouterMetrics.NONE : runtime.name();
  }

  String podTag() {
    return pod == null ? "-" : pod.id();
  }
}

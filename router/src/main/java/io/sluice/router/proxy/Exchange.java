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
 * <p>Where the request is in its life is its {@link Phase}, moved only by {@link #to}, which
 * refuses a move the life does not have. How it ended ({@link #clientClosed}, {@link #cutOff},
 * {@link #streamFailed}, {@link #timedOut}) is kept apart, as facts that may hold together and
 * whatever the phase was when they happened.
 */
final class Exchange {
  /*
   * Concurrency: confined to the event loop of the client's connection (context). Work finishing
   * elsewhere (estimation on a worker, admission from the queue on whichever thread freed
   * capacity) hops back with context.runOnContext before touching any field, so the phase is a
   * plain field and every transition runs on that one thread. A callback that arrives late (an
   * estimate or an admission after the client left) checks over() first and moves nothing.
   */

  /**
   * The phases of one request, in order; a request may go back from FORWARDING or ANSWERED to
   * QUEUED (the pod was pressed or full) or to FORWARDING (another pod), never back from RELAYING.
   */
  enum Phase {
    /** Being read: parsed, its pool and traffic class found. */
    RECEIVED,
    /** Its token cost being estimated (on a worker when the tokenizer is slow), then admission asked. */
    ESTIMATING,
    /** Waiting in its pool's admission queue ({@link #waiter}). */
    QUEUED,
    /** Holding a reservation (or a pod, passed through), being sent until the pod's response headers come. */
    FORWARDING,
    /** The pod's headers came: the retry policy decides whether they reach the client. */
    ANSWERED,
    /** The pod's answer is being written to the client: nothing is retried any more. */
    RELAYING,
    /** The end handler ran: the reservation is released, the outcome recorded. */
    DONE
  }

  private Phase phase = Phase.RECEIVED;
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
  /** When the request was sent to the pod, and the last chunk's time. */
  long sentNanos;
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
  /** Set by the attempt's timer when the pod did not answer within {@code responseTimeout}. */
  boolean timedOut;
  boolean clientClosed;
  /** The pod broke the answer under way (reset, or silent past {@code idleTimeout}). */
  boolean streamFailed;

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

  Phase phase() {
    return phase;
  }

  /** Moves to {@code next}; IllegalStateException when the request's life has no such step. */
  void to(Phase next) {
    boolean legal = switch (next) {
      case RECEIVED -> false; // only where it starts
      case ESTIMATING -> phase == Phase.RECEIVED;
      // Admission queued it; or a pod answered 429 / 503, or another pod is full right now.
      case QUEUED -> phase == Phase.ESTIMATING || phase == Phase.FORWARDING || phase == Phase.ANSWERED;
      // Passed through, admitted at once or from the queue, or to another pod after a failure.
      case FORWARDING -> phase == Phase.RECEIVED || phase == Phase.ESTIMATING || phase == Phase.QUEUED
          || phase == Phase.FORWARDING || phase == Phase.ANSWERED;
      case ANSWERED -> phase == Phase.FORWARDING;
      case RELAYING -> phase == Phase.ANSWERED;
      case DONE -> phase != Phase.DONE; // the end handler runs once, from wherever the request was
    };
    if (!legal) {
      throw new IllegalStateException("an exchange cannot go from " + phase + " to " + next);
    }
    phase = next;
  }

  /** True once nobody will read an answer: the client left, the response was completed or cut off. */
  boolean over() {
    return phase == Phase.DONE || clientClosed || cutOff;
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

package io.sluice.router.proxy;

import io.sluice.router.admission.AdmissionRequest;
import io.sluice.router.admission.Reservation;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.pool.Pod;
import io.sluice.router.proxy.RetryPolicy.Decision;
import io.sluice.router.proxy.RetryPolicy.Ending;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an admitted request to the pod it holds a reservation on and decides what becomes of the
 * answer; {@link Relay} writes an answer it lets through to the client, and {@link AttemptTimer}
 * keeps each attempt's timeouts.
 *
 * <p>Before any byte has reached the client, a failure is not final. A pod that refuses the
 * connection, resets it or answers 5xx counts against its health (enough in a row eject it) and
 * the request moves to the next-best pod, up to {@code maxAttempts} pods: the reservation is
 * released on the failed pod first, then taken on the next, so the two are never both held. A pod
 * that answers 429 or 503 goes back into the admission queue keeping its age, up to {@code
 * maxRequeues} times, and waits there for a pod it has not tried while one exists; a 503 also
 * counts against the pod's health, so a pod that answers nothing else is ejected. Retries and
 * requeues together stay within the pool's retry budget. Past those bounds the engine's answer
 * passes through unchanged (or 502 when there was none). {@link RetryPolicy} makes these decisions;
 * this class carries them out.
 */
final class Forwarder {
  private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

  private final Supplier<HttpClient> clientFactory;
  private final ThreadLocal<HttpClient> perLoop = new ThreadLocal<>();
  private final List<HttpClient> created = new CopyOnWriteArrayList<>();
  private final RouterSettings settings;
  private final RouterMetrics metrics;
  private final Consumer<Exchange> requeue;
  private final AttemptTimer timer;
  private final Relay relay;

  /**
   * @param requeue puts an exchange whose reservation was released back into its pool's queue
   */
  Forwarder(Vertx vertx, Supplier<HttpClient> clientFactory, RouterSettings settings,
      RouterMetrics metrics, Consumer<Exchange> requeue) {
    this.clientFactory = clientFactory;
    this.settings = settings;
    this.metrics = metrics;
    this.requeue = requeue;
    this.timer = new AttemptTimer(vertx, settings, metrics);
    this.relay = new Relay(settings, metrics, timer);
  }

  /**
   * The HTTP client of the calling event loop, created on first use there. One shared client would
   * hand a connection opened on one event loop to a request served on another, and every event of
   * that request would then hop between the two threads.
   */
  private HttpClient clientOfThisLoop() {
    HttpClient own = perLoop.get();
    if (own == null) {
      own = clientFactory.get();
      perLoop.set(own);
      created.add(own);
    }
    return own;
  }

  /** Closes the clients the event loops created. */
  Future<Void> close() {
    return Future.all(created.stream().map(HttpClient::close).toList()).mapEmpty();
  }

  /**
   * Forwards a request that is not admitted (no reservation) to a pod of its pool in rotation, one
   * picked at random among those not tried yet; 503 {@code no_ready_pod} when there is none. A pod
   * that fails before answering is replaced like an admitted request's; 429 and 503 pass through.
   */
  void passThrough(Exchange exchange) {
    Pod pod = untriedPod(exchange);
    if (pod == null) {
      ProxyHandler.sendError(exchange.ctx, OpenAiError.noReadyPod(exchange.runtime.name(),
          exchange.runtime.unservable() != null ? exchange.runtime.unservable() : "every pod is ejected (failing)"));
      return;
    }
    exchange.pod = pod;
    forward(exchange);
  }

  private static Pod untriedPod(Exchange exchange) {
    List<Pod> pods = exchange.runtime.pool().pods();
    int n = pods.size();
    int start = n == 0 ? 0 : ThreadLocalRandom.current().nextInt(n);
    for (int i = 0; i < n; i++) {
      Pod candidate = pods.get((start + i) % n);
      if (!exchange.tried.contains(candidate.id()) && !exchange.runtime.ejected(candidate.id())) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Forwards to the pod of {@code exchange.reservation}, or of {@code exchange.pod} for a request
   * passed through. On the exchange's event loop.
   */
  void forward(Exchange exchange) {
    exchange.to(Exchange.Phase.FORWARDING);
    Pod pod = exchange.reservation == null ? exchange.pod : exchange.runtime.pod(exchange.reservation.podId());
    if (pod == null) {
      // The pod left the pool (config reload, pod deleted) between the reservation and now: release
      // it and try another pod, or wait in the queue again.
      exchange.tried.add(exchange.reservation.podId());
      Decision decision = decide(exchange, Ending.POD_LEFT, RetryPolicy.NO_STATUS);
      if (!(decision instanceof Decision.RetryOtherPod retry)
          || !triedElsewhere(exchange, retry, "pod " + exchange.reservation.podId() + " left the pool")) {
        ProxyHandler.sendError(exchange.ctx,
            OpenAiError.noReadyPod(exchange.runtime.name(), exchange.runtime.unservable()));
      }
      return;
    }
    exchange.pod = pod;
    exchange.attempts++;
    exchange.tried.add(pod.id());
    timer.cancel(exchange); // a retry or a requeued request: the last attempt's timer is not this one's
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(pod.host())
        .setPort(pod.port())
        .setSsl(pod.tls())
        .setURI(targetOf(exchange))
        .setConnectTimeout(settings.connectTimeout().toMillis());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    Headers.copy(exchange.ctx.request().headers(), headers);
    headers.set(RequestId.HEADER, (String) exchange.ctx.get(AccessLog.REQUEST_ID)); // the client's, or a usable one
    options.setHeaders(headers);
    long sentAt = System.nanoTime();
    Future<HttpClientRequest> connecting;
    try {
      connecting = clientOfThisLoop().request(options);
    } catch (IllegalStateException closed) {
      connecting = Future.failedFuture(closed); // the router is shutting down: its clients are closed
    }
    connecting.onComplete(connected -> {
      if (connected.failed()) {
        failedBeforeAnswer(exchange, pod, Ending.BROKEN, "connect", describe(connected.cause()));
        return;
      }
      HttpClientRequest upstream = connected.result();
      if (exchange.over()) {
        upstream.reset();
        return;
      }
      exchange.upstream = upstream;
      exchange.sentNanos = System.nanoTime();
      long timeoutMs = settings.responseTimeout().toMillis();
      timer.arm(exchange, upstream, timeoutMs);
      upstream.send(exchange.body).onComplete(answered -> {
        if (answered.succeeded()) {
          long now = System.nanoTime();
          exchange.to(Exchange.Phase.ANSWERED);
          exchange.lastChunkNanos = now;
          long idleMs = settings.idleTimeout().toMillis();
          if (exchange.timer != -1 && exchange.timerDueNanos - now > idleMs * 1_000_000) {
            timer.cancel(exchange); // due for the response timeout, later than the pod may now stay silent
            timer.arm(exchange, upstream, idleMs);
          }
          metrics.upstreamResponded(exchange.runtime.name(), now - sentAt);
          answered(exchange, upstream, answered.result());
        } else if (exchange.timedOut) {
          timedOut(exchange, pod, timeoutMs);
        } else {
          failedBeforeAnswer(exchange, pod, Ending.BROKEN, "reset", describe(answered.cause()));
        }
      });
    });
  }

  /**
   * What the pod is asked for: the API's own origin-form path and the client's query, never the
   * client's raw request target (an absolute URL, {@code ..} or {@code //} segments, percent-encoded
   * letters: the route matched the normalised path, and only that goes on).
   */
  static String targetOf(Exchange exchange) {
    String query = exchange.ctx.request().query();
    return query == null || query.isEmpty() ? exchange.kind.path() : exchange.kind.path() + "?" + query;
  }

  private void answered(Exchange exchange, HttpClientRequest upstream, HttpClientResponse response) {
    int status = response.statusCode();
    Pod pod = exchange.pod;
    if (status >= 500) {
      // 503 included: a pod that answers 503 at once (its engine down behind a sidecar, a slow start)
      // would otherwise take every request thrown at it, its instant refusals leaving it the most room.
      exchange.runtime.upstreamFailed(pod.id());
    } else {
      exchange.runtime.upstreamSucceeded(pod.id());
    }
    if (status >= 500 && status != 503) {
      metrics.upstreamError(exchange.runtime.name(), pod.id(), "status-" + status);
    }
    Decision decision = decide(exchange, Ending.ANSWERED, status);
    if (decision instanceof Decision.Requeue requeued) {
      if (takeRetry(exchange)) {
        metrics.upstreamError(exchange.runtime.name(), pod.id(), "pressure-" + status);
        exchange.pressured.add(pod.id());
        Relay.discard(response);
        timer.cancel(exchange);
        exchange.upstream = null;
        exchange.reservation.release();
        exchange.reservation = null;
        requeue.accept(exchange);
        return;
      }
      decision = requeued.otherwise();
    } else if (decision instanceof Decision.RetryOtherPod retry) {
      if (triedElsewhere(exchange, retry, "pod " + pod.id() + " answered " + status)) {
        Relay.discard(response);
        return;
      }
      decision = retry.otherwise();
    }
    if (decision instanceof Decision.Drop) {
      Relay.drop(upstream, response);
      return;
    }
    relay.relay(exchange, upstream, response); // Relay: every other decision was carried out above
  }

  /** The retry policy's decision on the exchange's attempt, by its pool's current limits. */
  private static Decision decide(Exchange exchange, Ending ending, int status) {
    return RetryPolicy.of(exchange.runtime.pool().spec().health()).decide(ending, status, exchange.attempts,
        exchange.requeues, exchange.reservation != null, exchange.over());
  }

  /**
   * Carries out a {@link Decision.RetryOtherPod}: true when the request went to another pod or back
   * into the queue, false when the budget or the pool said no (the caller acts on {@code otherwise}).
   */
  private boolean triedElsewhere(Exchange exchange, Decision.RetryOtherPod retry, String why) {
    return (!retry.budgeted() || takeRetry(exchange)) && moveElsewhere(exchange, why);
  }

  /**
   * Whether the exchange may be tried again: the first retry takes a unit of the pool's retry
   * budget, held until the exchange ends; when the budget is spent the failure goes to the client.
   */
  private boolean takeRetry(Exchange exchange) {
    if (exchange.retryBudgetHeld) {
      return true;
    }
    if (exchange.runtime.retries().tryAcquire()) {
      exchange.retryBudgetHeld = true;
      return true;
    }
    metrics.retryBudgetExhausted(exchange.runtime.name());
    return false;
  }

  private void failedBeforeAnswer(Exchange exchange, Pod pod, Ending ending, String reason, String detail) {
    timer.cancel(exchange);
    exchange.upstream = null;
    Decision decision = decide(exchange, ending, RetryPolicy.NO_STATUS);
    if (decision instanceof Decision.Drop) {
      return;
    }
    metrics.upstreamError(exchange.runtime.name(), pod.id(), reason);
    exchange.runtime.upstreamFailed(pod.id());
    LOG.debug("pod {} failed before answering ({}): {}", pod.id(), reason, detail);
    String failure = "pod " + pod.id() + " failed before answering (" + detail + ").";
    if (decision instanceof Decision.RetryOtherPod retry && triedElsewhere(exchange, retry, failure)) {
      return;
    }
    ProxyHandler.sendError(exchange.ctx, OpenAiError.upstreamFailed(failure)); // Fail(502): final, or the retry's otherwise
  }

  /** The pod did not answer within {@code responseTimeout} (the timer reset the request): 504, never retried. */
  private void timedOut(Exchange exchange, Pod pod, long timeoutMs) {
    Decision decision = decide(exchange, Ending.TIMED_OUT, RetryPolicy.NO_STATUS);
    metrics.upstreamError(exchange.runtime.name(), pod.id(), "timeout");
    exchange.runtime.upstreamFailed(pod.id());
    if (!(decision instanceof Decision.Fail)) {
      throw new IllegalStateException("a timed-out attempt is final, not " + decision);
    }
    ProxyHandler.sendError(exchange.ctx, OpenAiError.upstreamTimeout(timeoutMs));
  }

  /** Stops the exchange's timer, if any. On the exchange's event loop. */
  void cancelTimer(Exchange exchange) {
    timer.cancel(exchange);
  }

  /**
   * Moves the request to the next-best pod it has not tried: releases the reservation here, then
   * reserves there. When an untried pod exists but is full right now, the request goes back into
   * the queue keeping its age. False when neither is possible (the caller answers the client).
   */
  private boolean moveElsewhere(Exchange exchange, String why) {
    if (exchange.reservation == null) { // passed through: any other pod in rotation
      Pod other = untriedPod(exchange);
      if (other == null) {
        return false;
      }
      metrics.upstreamRetry(exchange.runtime.name());
      LOG.debug("retrying on pod {}: {}", other.id(), why);
      exchange.pod = other;
      forward(exchange);
      return true;
    }
    Reservation failed = exchange.reservation;
    long tokens = failed.tokens();
    AdmissionRequest request = new AdmissionRequest(tokens, exchange.caller.priority(),
        exchange.caller.trafficClass(), exchange.caller.tenant(), exchange.scoring, exchange.tried);
    failed.release();
    exchange.reservation = null;
    Optional<Reservation> elsewhere = exchange.runtime.admission().reserveElsewhere(request, exchange.tried);
    if (elsewhere.isPresent()) {
      metrics.upstreamRetry(exchange.runtime.name());
      LOG.debug("retrying on pod {}: {}", elsewhere.get().podId(), why);
      exchange.reservation = elsewhere.get();
      forward(exchange);
      return true;
    }
    boolean untriedLeft = exchange.tried.size() < exchange.runtime.pool().pods().size();
    if (RetryPolicy.of(exchange.runtime.pool().spec().health()).waitsForFullPod(untriedLeft, exchange.requeues)) {
      requeue.accept(exchange); // an untried pod is full right now: wait for it, keeping the age
      return true;
    }
    return false;
  }

  /** A failure's message for the client and the log, or its class when it has none. */
  static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}

package io.sluice.router.proxy;

import io.sluice.router.api.OpenAiError;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.proxy.AttemptTimeouts.Expiry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one timer of an attempt ({@link Exchange#timer}): armed when the request is sent, armed
 * sooner when the pod answers or the client stops reading, cancelled when the attempt or the
 * exchange ends. {@link AttemptTimeouts} says what it does when it fires; this class carries that
 * out, cutting off a request the router will not let run on.
 *
 * <p>The router keeps this timer itself rather than use {@code HttpClientRequest.idleTimeout}:
 * Vert.x 5.0.7 does not cancel that one when the response ends, so every finished request stayed
 * reachable (body and all) until its timer fired.
 */
final class AttemptTimer {
  /*
   * Concurrency: everything runs on the event loop of the client's connection. The timer is set
   * from that loop, so it fires there too, and it reads and writes the exchange's fields like any
   * other callback of the exchange. A timer that fires after its attempt ended (the exchange is
   * DONE, or a later attempt has its own upstream) does nothing.
   */
  private static final Logger LOG = LoggerFactory.getLogger(AttemptTimer.class);

  private final Vertx vertx;
  private final RouterSettings settings;
  private final RouterMetrics metrics;
  private final AttemptTimeouts timeouts;

  AttemptTimer(Vertx vertx, RouterSettings settings, RouterMetrics metrics) {
    this.vertx = vertx;
    this.settings = settings;
    this.metrics = metrics;
    this.timeouts = AttemptTimeouts.of(settings);
  }

  /** Arms the attempt's one timer, to fire in {@code delayMs} (or sooner: {@code maxStreamDuration}). */
  void arm(Exchange exchange, HttpClientRequest upstream, long delayMs) {
    long delay = timeouts.delayMs(delayMs, System.nanoTime(), exchange.startNanos);
    exchange.timerDueNanos = System.nanoTime() + delay * 1_000_000;
    exchange.timer = vertx.setTimer(delay, id -> {
      exchange.timer = -1;
      if (exchange.phase() == Exchange.Phase.DONE || exchange.upstream != upstream) {
        return; // a later attempt has its own timer
      }
      Expiry expiry = timeouts.onFire(System.nanoTime(), exchange.startNanos,
          exchange.phase() != Exchange.Phase.FORWARDING, exchange.sentNanos, exchange.upstreamPaused,
          exchange.pausedSinceNanos, exchange.lastChunkNanos);
      if (expiry instanceof Expiry.Rearm rearm) {
        arm(exchange, upstream, rearm.delayMs());
      } else if (expiry instanceof Expiry.CutOff cut) {
        cutOff(exchange, upstream, cut.reason());
      } else if (expiry instanceof Expiry.NoAnswer) {
        exchange.timedOut = true;
        upstream.reset(); // the send's failure answers 504
      } else {
        upstream.reset(); // Silent: the response's exception handler ends the client's stream
      }
    });
  }

  /**
   * Ends a request the router will not let run on: its client accepted no bytes for {@code
   * clientWriteTimeout} (the connection is closed: nothing more can reach it), or it ran past
   * {@code maxStreamDuration} (an answer not yet begun gets 504; an event stream ends with an
   * error event). Either way the pod's request is reset and the reservation released as the
   * exchange ends; the pod is not blamed.
   */
  private void cutOff(Exchange exchange, HttpClientRequest upstream, String reason) {
    cancel(exchange);
    metrics.streamCutOff(exchange.runtime.name(), reason);
    exchange.ctx.put(AccessLog.ERROR_CODE, reason);
    HttpServerResponse downstream = exchange.ctx.response();
    exchange.upstream = null;
    exchange.cutOff = true;
    upstream.reset();
    LOG.debug("request to pod {} cut off: {}", exchange.podTag(), reason);
    if (reason.equals("client_write_timeout")) {
      exchange.clientClosed = true;
      // Not reset(): Vert.x closes an HTTP/1 connection after its queued writes, which this client
      // never reads (its handler turns a channel close into that too). The close starts at the head
      // of the pipeline, below Vert.x, and drops them.
      if (exchange.ctx.request().connection() instanceof io.vertx.core.net.impl.ConnectionBase base
          && base.channel().pipeline().firstContext() != null) {
        base.channel().pipeline().firstContext().close();
      } else {
        downstream.reset();
      }
      return;
    }
    long limitMs = settings.maxStreamDuration().toMillis();
    if (!downstream.headWritten()) {
      ProxyHandler.sendError(exchange.ctx, new OpenAiError(504, OpenAiError.SERVER_ERROR, reason, null,
          "The request ran longer than the router allows (" + limitMs + " ms, maxStreamDuration)."));
    } else if (exchange.sse && !downstream.ended()) {
      Buffer held = Relay.takeHeld(exchange);
      Buffer event = Buffer.buffer(new OpenAiError(504, OpenAiError.SERVER_ERROR, reason, null,
          "The stream ran longer than the router allows (" + limitMs + " ms, maxStreamDuration).")
          .toStreamEvent(exchange.kind));
      downstream.end(held == null ? event : Relay.join(held, event)); // held may be a slice: it cannot grow
    } else {
      downstream.reset();
    }
  }

  /** Whether the pod has sent nothing for {@code idleTimeout}. */
  boolean idleExpired(Exchange exchange) {
    return (System.nanoTime() - exchange.lastChunkNanos) / 1_000_000 >= settings.idleTimeout().toMillis();
  }

  /** Stops the exchange's timer, if any. On the exchange's event loop. */
  void cancel(Exchange exchange) {
    if (exchange.timer != -1) {
      vertx.cancelTimer(exchange.timer);
      exchange.timer = -1;
    }
  }
}

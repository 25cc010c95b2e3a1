package io.sluice.router.proxy;

import io.sluice.router.admission.AdmissionRequest;
import io.sluice.router.admission.Reservation;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.pool.Pod;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an admitted request to the pod it holds a reservation on and relays the answer. A pod that
 * refuses the connection or fails before answering is replaced once: the reservation is released
 * on the failed pod first, then taken on another, so the two are never both held.
 */
public final class Forwarder {
  private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);
  private static final int MAX_ATTEMPTS = 2;

  private final Vertx vertx;
  private final HttpClient client;
  private final RouterSettings settings;
  private final RouterMetrics metrics;

  public Forwarder(Vertx vertx, HttpClient client, RouterSettings settings, RouterMetrics metrics) {
    this.vertx = vertx;
    this.client = client;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Forwards to the pod of {@code exchange.reservation}. On the exchange's event loop. */
  void forward(Exchange exchange) {
    Pod pod = exchange.runtime.pod(exchange.reservation.podId());
    exchange.pod = pod;
    exchange.attempts++;
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost(pod.host())
        .setPort(pod.port())
        .setSsl(pod.tls())
        .setURI(exchange.ctx.request().uri())
        .setConnectTimeout(settings.connectTimeout().toMillis());
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    Headers.copy(exchange.ctx.request().headers(), headers);
    options.setHeaders(headers);
    long sentAt = System.nanoTime();
    client.request(options).onComplete(connected -> {
      if (connected.failed()) {
        failedBeforeAnswer(exchange, pod, "connect", connected.cause());
        return;
      }
      HttpClientRequest upstream = connected.result();
      if (exchange.over()) {
        upstream.reset();
        return;
      }
      exchange.upstream = upstream;
      long timeoutMs = settings.responseTimeout().toMillis();
      exchange.responseTimer = vertx.setTimer(timeoutMs, id -> {
        exchange.timedOut = true;
        upstream.reset();
      });
      upstream.send(exchange.body).onComplete(answered -> {
        vertx.cancelTimer(exchange.responseTimer);
        if (answered.succeeded()) {
          metrics.upstreamResponded(exchange.runtime.name(), System.nanoTime() - sentAt);
          relay(exchange, upstream, answered.result());
        } else if (exchange.timedOut) {
          metrics.upstreamError(exchange.runtime.name(), pod.id(), "timeout");
          ProxyHandler.sendError(exchange.ctx, OpenAiError.upstreamTimeout(timeoutMs));
        } else {
          failedBeforeAnswer(exchange, pod, "reset", answered.cause());
        }
      });
    });
  }

  private void failedBeforeAnswer(Exchange exchange, Pod pod, String reason, Throwable cause) {
    exchange.upstream = null;
    if (exchange.over()) {
      return;
    }
    metrics.upstreamError(exchange.runtime.name(), pod.id(), reason);
    LOG.debug("pod {} failed before answering ({}): {}", pod.id(), reason, cause.toString());
    if (exchange.attempts < MAX_ATTEMPTS) {
      Reservation failed = exchange.reservation;
      long tokens = failed.tokens();
      failed.release();
      AdmissionRequest request = new AdmissionRequest(
          tokens, exchange.caller.priority(), exchange.caller.trafficClass(), exchange.caller.tenant());
      Optional<Reservation> elsewhere = exchange.runtime.admission().reserveElsewhere(request, pod.id());
      if (elsewhere.isPresent()) {
        metrics.upstreamRetry(exchange.runtime.name());
        exchange.reservation = elsewhere.get();
        forward(exchange);
        return;
      }
    }
    ProxyHandler.sendError(exchange.ctx, OpenAiError.upstreamFailed(
        "pod " + pod.id() + " failed before answering (" + describe(cause) + ")."));
  }

  private void relay(Exchange exchange, HttpClientRequest upstream, HttpClientResponse response) {
    HttpServerResponse downstream = exchange.ctx.response();
    if (exchange.over() || downstream.ended() || downstream.closed()) {
      upstream.reset();
      return;
    }
    upstream.idleTimeout(settings.idleTimeout().toMillis());
    downstream.setStatusCode(response.statusCode());
    downstream.setStatusMessage(response.statusMessage());
    Headers.copy(response.headers(), downstream.headers());
    boolean watch = response.statusCode() == 200;
    String length = response.getHeader("content-length");
    if (length != null && !(watch && exchange.hideUsage)) {
      downstream.putHeader("content-length", length);
    } else {
      downstream.setChunked(true);
    }
    UsageWatcher watcher = watch ? new UsageWatcher(exchange.request.stream(), exchange.hideUsage,
        generated -> grow(exchange, generated)) : null;
    exchange.usage = watcher;
    response.handler(chunk -> {
      byte[] out = watcher == null ? null : watcher.onChunk(chunk.getBytes());
      Buffer pass = watcher == null ? chunk : Buffer.buffer(out);
      if (pass.length() > 0) {
        downstream.write(pass);
      }
      if (downstream.writeQueueFull()) {
        response.pause();
        downstream.drainHandler(drained -> response.resume());
      }
    });
    response.exceptionHandler(failure -> {
      if (exchange.over()) {
        return;
      }
      // The pod dropped the stream or stalled past the idle timeout: the client cannot get a
      // status any more, so end its connection without the closing chunk.
      exchange.streamFailed = true;
      metrics.upstreamError(exchange.runtime.name(), exchange.podTag(), "stream");
      LOG.debug("stream from pod {} failed: {}", exchange.podTag(), failure.toString());
      downstream.reset();
    });
    response.endHandler(ended -> {
      byte[] rest = watcher == null ? new byte[0] : watcher.onEnd();
      downstream.end(Buffer.buffer(rest));
    });
  }

  /** A stream outran its reservation: hold more, a block-rounded step at a time. */
  private static void grow(Exchange exchange, long generated) {
    Reservation reservation = exchange.reservation;
    long needed = exchange.cost.promptTokens() + generated;
    long held = reservation.tokens();
    if (needed > held && reservation.active()) {
      int block = exchange.runtime.pool().spec().budget().blockSize();
      long step = Math.max(needed - held, held / 10);
      reservation.grow((step + block - 1) / block * block);
    }
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}

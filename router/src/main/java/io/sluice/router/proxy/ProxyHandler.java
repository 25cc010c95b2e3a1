package io.sluice.router.proxy;

import io.sluice.router.api.ApiException;
import io.sluice.router.api.ApiKind;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.api.RequestParser;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.pool.ModelRegistry;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards an inference request to a pod of its model's pool and streams the answer back.
 *
 * <p>The body is forwarded unchanged; the response is piped chunk by chunk with backpressure both
 * ways (a slow client pauses the pod's stream). A client that goes away resets the upstream
 * request, so the engine stops generating. A pod that refuses the connection or fails before
 * answering is replaced by another pod once.
 */
public final class ProxyHandler {
  private static final Logger ACCESS = LoggerFactory.getLogger("sluice.access");
  private static final Logger LOG = LoggerFactory.getLogger(ProxyHandler.class);
  private static final int MAX_ATTEMPTS = 2;

  private final Vertx vertx;
  private final HttpClient client;
  private final ModelRegistry models;
  private final RouterSettings settings;
  private final RouterMetrics metrics;

  public ProxyHandler(Vertx vertx, HttpClient client, ModelRegistry models, RouterSettings settings,
      RouterMetrics metrics) {
    this.vertx = vertx;
    this.client = client;
    this.models = models;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Handles one request to {@code kind}'s endpoint; the body has been read by then. */
  public void handle(RoutingContext ctx, ApiKind kind) {
    Exchange exchange = new Exchange(ctx, kind, System.nanoTime());
    metrics.requestStarted();
    ctx.addEndHandler(ended -> finish(exchange));
    ctx.response().closeHandler(closed -> onClientClosed(exchange));
    try {
      checkContentType(ctx.request().getHeader("content-type"));
      exchange.request = RequestParser.parse(kind, ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
      Pool pool = models.poolFor(exchange.request.model());
      if (pool == null) {
        throw new ApiException(OpenAiError.modelNotFound(exchange.request.model()));
      }
      exchange.pool = pool;
      attempt(exchange, null);
    } catch (ApiException e) {
      sendError(exchange.ctx, e.error());
    }
  }

  private static void checkContentType(String contentType) {
    if (contentType == null) {
      return;
    }
    String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
      throw new ApiException(OpenAiError.unsupportedMediaType(contentType));
    }
  }

  private void attempt(Exchange exchange, Pod failed) {
    Pod pod = exchange.pool.pick(failed);
    if (pod == null) {
      sendError(exchange.ctx, failed == null ? OpenAiError.noReadyPod(exchange.pool.name())
          : OpenAiError.upstreamFailed("pod " + failed.id() + " failed and no other pod is available."));
      return;
    }
    if (failed != null) {
      metrics.upstreamRetry(exchange.pool.name());
    }
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
        upstreamFailed(exchange, pod, "connect", connected.cause());
        return;
      }
      HttpClientRequest upstream = connected.result();
      if (exchange.clientClosed) {
        upstream.reset();
        return;
      }
      exchange.upstream = upstream;
      long timeoutMs = settings.responseTimeout().toMillis();
      exchange.responseTimer = vertx.setTimer(timeoutMs, id -> {
        exchange.timedOut = true;
        upstream.reset();
      });
      upstream.send(exchange.ctx.body().buffer()).onComplete(answered -> {
        vertx.cancelTimer(exchange.responseTimer);
        if (answered.succeeded()) {
          metrics.upstreamResponded(exchange.pool.name(), System.nanoTime() - sentAt);
          relay(exchange, upstream, answered.result());
        } else if (exchange.timedOut) {
          metrics.upstreamError(exchange.pool.name(), pod.id(), "timeout");
          sendError(exchange.ctx, OpenAiError.upstreamTimeout(timeoutMs));
        } else {
          upstreamFailed(exchange, pod, "reset", answered.cause());
        }
      });
    });
  }

  /** The pod failed before sending anything: try another pod once, else answer 502. */
  private void upstreamFailed(Exchange exchange, Pod pod, String reason, Throwable cause) {
    exchange.upstream = null;
    if (exchange.clientClosed) {
      return;
    }
    metrics.upstreamError(exchange.pool.name(), pod.id(), reason);
    LOG.debug("pod {} failed before answering ({}): {}", pod.id(), reason, cause.toString());
    if (exchange.attempts < MAX_ATTEMPTS) {
      attempt(exchange, pod);
    } else {
      sendError(exchange.ctx, OpenAiError.upstreamFailed(
          "pod " + pod.id() + " failed before answering (" + describe(cause) + ")."));
    }
  }

  private void relay(Exchange exchange, HttpClientRequest upstream, HttpClientResponse response) {
    HttpServerResponse downstream = exchange.ctx.response();
    if (exchange.clientClosed || downstream.ended() || downstream.closed()) {
      upstream.reset();
      return;
    }
    upstream.idleTimeout(settings.idleTimeout().toMillis());
    downstream.setStatusCode(response.statusCode());
    downstream.setStatusMessage(response.statusMessage());
    Headers.copy(response.headers(), downstream.headers());
    String length = response.getHeader("content-length");
    if (length != null) {
      downstream.putHeader("content-length", length);
    } else {
      downstream.setChunked(true);
    }
    response.pipe().endOnFailure(false).to(downstream).onComplete(piped -> {
      if (piped.failed() && !exchange.clientClosed) {
        // The pod dropped the stream, or stalled past the idle timeout: the client cannot get a
        // status any more, so end the connection without the closing chunk.
        exchange.streamFailed = true;
        metrics.upstreamError(exchange.pool.name(), exchange.podTag(), "stream");
        LOG.debug("stream from pod {} failed: {}", exchange.podTag(), piped.cause().toString());
        downstream.reset();
      }
    });
  }

  private void onClientClosed(Exchange exchange) {
    if (exchange.ctx.response().ended()) {
      return;
    }
    exchange.clientClosed = true;
    if (exchange.upstream != null) {
      exchange.upstream.reset();
    }
  }

  private void finish(Exchange exchange) {
    HttpServerResponse response = exchange.ctx.response();
    if (!response.ended() && !exchange.streamFailed) {
      onClientClosed(exchange); // the end handler may run before the close handler
    }
    // 499: the client went away first; 502: the pod broke a stream already under way.
    int status = exchange.streamFailed ? 502 : exchange.clientClosed ? 499 : response.getStatusCode();
    long nanos = System.nanoTime() - exchange.startNanos;
    metrics.requestFinished(exchange.modelTag(), exchange.poolTag(), exchange.kind.label(), status, nanos);
    if (settings.accessLog() && ACCESS.isInfoEnabled()) {
      ACCESS.info("api={} model={} pool={} pod={} status={} attempts={} stream={} duration_ms={} bytes_in={} bytes_out={}",
          exchange.kind.label(), exchange.request == null ? "-" : exchange.request.model(), exchange.poolTag(),
          exchange.podTag(), status, exchange.attempts, exchange.request != null && exchange.request.stream(),
          nanos / 1_000_000, exchange.ctx.request().bytesRead(), response.bytesWritten());
    }
  }

  /** Writes an OpenAI-format error, unless a response has already started. */
  static void sendError(RoutingContext ctx, OpenAiError error) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten() || response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(error.status())
        .putHeader("content-type", "application/json")
        .end(Buffer.buffer(error.toJson()));
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}

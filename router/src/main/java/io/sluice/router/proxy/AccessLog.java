package io.sluice.router.proxy;

import io.sluice.router.api.ApiKind;
import io.sluice.router.metrics.RouterMetrics;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every answer of the data port is logged (logger {@code sluice.access}, one line) and counted
 * ({@code sluice_requests_total}): inference requests with what they cost and where they went,
 * and everything refused before that — 401, 404, 405, 408, 413, 431, an unparseable request — so
 * that key guessing or a scan is seen. Client-supplied text (model, path) is escaped and cut
 * ({@link LogSafe}); the {@code api} label takes a handful of values whatever the path.
 */
public final class AccessLog {
  private static final Logger ACCESS = LoggerFactory.getLogger("sluice.access");
  /** Set on a routing context by the inference handler, which then logs the request itself. */
  static final String EXCHANGE = "sluice.exchange";
  /** The {@code code} of the OpenAI error the router answered with, for the log line. */
  static final String ERROR_CODE = "sluice.errorCode";
  private static final String START = "sluice.start";
  /** The request's {@link RequestId}, set by {@link #handle} before any other handler runs. */
  static final String REQUEST_ID = "sluice.requestId";
  /** The {@code api} label of a request that is none of the inference APIs or the model list. */
  public static final String OTHER = "other";

  private final RouterMetrics metrics;
  private final boolean enabled;

  public AccessLog(RouterMetrics metrics, boolean enabled) {
    this.metrics = metrics;
    this.enabled = enabled;
  }

  /** The data router's first handler: whatever happens next, the answer is logged and counted once. */
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.put(START, start);
    String id = RequestId.of(ctx.request());
    ctx.put(REQUEST_ID, id);
    ctx.response().putHeader(RequestId.HEADER, id);
    ctx.addEndHandler(ended -> {
      if (ctx.get(EXCHANGE) == null) {
        HttpServerResponse response = ctx.response();
        // An answer the router wrote counts as sent even when the connection closed at once after it.
        int status = response.ended() || ctx.get(ERROR_CODE) != null ? response.getStatusCode() : 499;
        answered(ctx.request(), id, status, System.nanoTime() - start, ctx.get(ERROR_CODE));
      }
    });
    ctx.next();
  }

  /** A request answered before routing (unparseable, bad framing), on a connection about to close. */
  void unrouted(HttpServerRequest request, String requestId, int status, long nanos, String errorCode) {
    answered(request, requestId, status, nanos, errorCode);
  }

  private void answered(HttpServerRequest request, String requestId, int status, long nanos, String errorCode) {
    String api = apiOf(request);
    metrics.requestAnswered(RouterMetrics.NONE, RouterMetrics.NONE, api, status, nanos);
    if (enabled && ACCESS.isInfoEnabled()) {
      ACCESS.info("api={} method={} path={} client={} model=- pool=- class=- pod=- status={} error={} attempts=0 "
              + "stream=false est_tokens=- prompt_tokens=- output_tokens=- duration_ms={} bytes_in={} bytes_out={} "
              + "request_id={}",
          api, request.method() == null ? "-" : LogSafe.field(request.method().name(), 16), path(request),
          client(request), status, LogSafe.field(errorCode), nanos / 1_000_000, request.bytesRead(),
          request.response().bytesWritten(), requestId);
    }
  }

  /** The line of an inference request, written by its handler once it ended. */
  void exchange(Exchange exchange, int status, long nanos) {
    if (!enabled || !ACCESS.isInfoEnabled()) {
      return;
    }
    HttpServerRequest request = exchange.ctx.request();
    ACCESS.info("api={} method=POST path={} client={} model={} pool={} class={} pod={} status={} error={} attempts={} "
            + "stream={} est_tokens={} prompt_tokens={} output_tokens={} duration_ms={} bytes_in={} bytes_out={} "
            + "request_id={}",
        exchange.kind.label(), exchange.kind.path(), client(request),
        exchange.request == null ? "-" : LogSafe.field(exchange.request.model()), exchange.poolTag(),
        exchange.caller == null ? "-" : exchange.caller.trafficClass(), exchange.podTag(), status,
        LogSafe.field(exchange.ctx.get(ERROR_CODE)), exchange.attempts,
        exchange.request != null && exchange.request.stream(),
        exchange.cost == null ? "-" : exchange.cost.reservationTokens(),
        exchange.usage == null ? "-" : exchange.usage.promptTokens(),
        exchange.usage == null ? "-" : exchange.usage.outputTokens(),
        nanos / 1_000_000, request.bytesRead(), exchange.ctx.response().bytesWritten(),
        (String) exchange.ctx.get(REQUEST_ID));
  }

  /** The {@code api} label: an inference API, {@code models}, or {@link #OTHER}. */
  static String apiOf(HttpServerRequest request) {
    String path = request.path();
    if (path == null) {
      return OTHER;
    }
    for (ApiKind kind : ApiKind.values()) {
      if (kind.path().equals(path)) {
        return kind.label();
      }
    }
    return path.equals("/v1/models") || path.startsWith("/v1/models/") ? "models" : OTHER;
  }

  private static String path(HttpServerRequest request) {
    String path;
    try {
      path = request.path();
    } catch (RuntimeException e) {
      path = null;
    }
    return LogSafe.field(path);
  }

  private static String client(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    return remote == null || remote.host() == null ? "-" : LogSafe.field(remote.host(), 64);
  }
}

package io.sluice.router.proxy;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.config.RouterSettings;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits on the clients of the data port: how many connections may be open ({@code
 * maxConnections}: more are closed at once), how long a connection may sit without a request in
 * flight ({@code clientIdleTimeout}: it is closed, which also cuts off a client trickling its
 * request headers), how long a client has to send a request once its headers are in ({@code
 * requestTimeout}: 408), and what an unparseable request gets (431 for headers over {@code
 * maxHeaderBytes}, 400 otherwise), all in OpenAI's error format.
 *
 * <p>Timing costs no timer operation per request: each connection has one timer, armed when it
 * opens and re-armed when it fires, never further ahead than {@code requestTimeout}; when it fires
 * it checks the connection's deadlines (idle since, request headers in at) and re-arms for the
 * nearest. A request only writes two fields.
 *
 * <p>Concurrency: a connection's state is touched only on its event loop; the connection count is
 * shared by the event loops and atomic.
 */
public final class ClientLimits {
  private static final Logger LOG = LoggerFactory.getLogger(ClientLimits.class);

  private final Vertx vertx;
  private final int maxConnections;
  private final long idleMillis;
  private final long requestMillis;
  private final int maxHeaderBytes;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final Map<HttpConnection, Connection> connections = new ConcurrentHashMap<>();

  /** One client connection: the request in flight (HTTP/1.1, one at a time), and its timer. */
  private static final class Connection {
    final HttpConnection connection;
    int inFlight;
    /** The request whose body is awaited, and when its headers arrived; null when none. */
    RoutingContext current;
    long currentSince;
    /** When the connection last became idle (no request in flight). */
    long idleSince;
    long timer = -1;
    boolean closed;

    Connection(HttpConnection connection, long now) {
      this.connection = connection;
      this.idleSince = now;
    }
  }

  public ClientLimits(Vertx vertx, RouterSettings settings) {
    this.vertx = vertx;
    this.maxConnections = settings.maxConnections();
    this.idleMillis = settings.clientIdleTimeout().toMillis();
    this.requestMillis = settings.requestTimeout().toMillis();
    this.maxHeaderBytes = settings.maxHeaderBytes();
  }

  /** The data servers' connection handler. */
  public void connected(HttpConnection connection) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      if (refused.getAndIncrement() % 1000 == 0) {
        LOG.warn("{} client connections open, the limit (maxConnections): connection closed; {} refused so far",
            maxConnections, refused.get());
      }
      connection.close();
      return;
    }
    Connection state = new Connection(connection, nowMillis());
    connections.put(connection, state);
    connection.closeHandler(v -> {
      open.decrementAndGet();
      connections.remove(connection);
      state.closed = true;
      if (state.timer >= 0) {
        vertx.cancelTimer(state.timer);
        state.timer = -1;
      }
    });
    arm(state, Math.min(idleMillis, requestMillis));
  }

  /**
   * The data router's first handler: the connection is busy until the response ends; the client
   * has {@code requestTimeout} to finish sending the request.
   */
  public void requestStarted(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpConnection connection = request.connection();
    Connection state = connection == null ? null : connections.get(connection);
    if (state != null) {
      state.inFlight++;
      if (!request.isEnded()) {
        state.current = ctx;
        state.currentSince = nowMillis();
      }
      ctx.addEndHandler(ended -> {
        state.inFlight--;
        if (state.current == ctx) {
          state.current = null;
        }
        if (state.inFlight == 0) {
          state.idleSince = nowMillis();
        }
      });
    }
    ctx.next();
  }

  private void arm(Connection state, long delayMillis) {
    state.timer = vertx.setTimer(Math.max(1, delayMillis), id -> check(state));
  }

  /** The connection's timer: acts on a deadline that passed, else re-arms for the nearest one. */
  private void check(Connection state) {
    state.timer = -1;
    if (state.closed) {
      return;
    }
    long now = nowMillis();
    long next = requestMillis; // never further ahead: a request that starts meanwhile is caught in time
    RoutingContext current = state.current;
    if (current != null) {
      if (current.request().isEnded()) {
        state.current = null;
      } else if (now - state.currentSince >= requestMillis) {
        state.current = null;
        ProxyHandler.sendErrorAndClose(current, OpenAiError.requestTimeout(requestMillis));
      } else {
        next = Math.min(next, state.currentSince + requestMillis - now);
      }
    }
    if (state.inFlight == 0) {
      if (now - state.idleSince >= idleMillis) {
        state.connection.close();
        return;
      }
      next = Math.min(next, state.idleSince + idleMillis - now);
    }
    arm(state, next);
  }

  private static long nowMillis() {
    return System.nanoTime() / 1_000_000;
  }

  /** The data servers' handler for requests that could not be parsed: an OpenAI error, then close. */
  public void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult() == null ? null : request.decoderResult().cause();
    OpenAiError error;
    if (cause instanceof TooLongHttpHeaderException) {
      error = OpenAiError.headersTooLarge(maxHeaderBytes);
    } else if (cause instanceof TooLongHttpLineException || cause instanceof TooLongFrameException) {
      error = new OpenAiError(414, OpenAiError.INVALID_REQUEST, "uri_too_long", null, "The request line is too long.");
    } else {
      error = OpenAiError.malformedHttp();
    }
    HttpServerResponse response = request.response();
    response.setStatusCode(error.status()).putHeader("content-type", "application/json")
        .putHeader("connection", "close").end(Buffer.buffer(error.toJson()))
        .onComplete(done -> request.connection().close());
  }

  /** Client connections open now. */
  public int openConnections() {
    return open.get();
  }
}

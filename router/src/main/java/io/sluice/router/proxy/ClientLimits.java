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

  /** One client connection: requests in flight, and the timer that closes it when idle. */
  private static final class Connection {
    int inFlight;
    long idleTimer = -1;
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
    Connection state = new Connection();
    connections.put(connection, state);
    connection.closeHandler(v -> {
      open.decrementAndGet();
      Connection gone = connections.remove(connection);
      if (gone != null && gone.idleTimer >= 0) {
        vertx.cancelTimer(gone.idleTimer);
      }
    });
    idle(connection, state);
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
      if (state.idleTimer >= 0) {
        vertx.cancelTimer(state.idleTimer);
        state.idleTimer = -1;
      }
      ctx.addEndHandler(ended -> {
        state.inFlight--;
        idle(connection, state);
      });
    }
    if (!request.isEnded()) {
      long timer = vertx.setTimer(requestMillis, id -> {
        if (!request.isEnded()) {
          ProxyHandler.sendErrorAndClose(ctx, OpenAiError.requestTimeout(requestMillis));
        }
      });
      ctx.addEndHandler(ended -> vertx.cancelTimer(timer));
    }
    ctx.next();
  }

  private void idle(HttpConnection connection, Connection state) {
    if (state.inFlight > 0 || !connections.containsKey(connection)) {
      return;
    }
    state.idleTimer = vertx.setTimer(idleMillis, id -> {
      state.idleTimer = -1;
      if (state.inFlight == 0) {
        connection.close();
      }
    });
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

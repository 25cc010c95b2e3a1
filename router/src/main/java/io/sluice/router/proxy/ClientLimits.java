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
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits on the clients of the data port, and the checks a request passes before it is routed.
 *
 * <ul>
 *   <li>Connections: at most {@code maxConnections} open, at most {@code maxConnectionsPerAddress}
 *       from one source address (0: no limit). At the limit a new connection takes the place of
 *       one that is not open any more (reset, its close not yet handled), else of an idle one —
 *       one at least {@link #EVICTION_GRACE_NANOS} old that never sent a request first, oldest
 *       first, then the one idle the longest — and is closed at once only when no connection can
 *       make room. What is counted is what is open.
 *   <li>Time: a new connection has {@code firstRequestTimeout} to send its first request headers;
 *       one with no request in flight is closed after {@code clientIdleTimeout} (also a client
 *       trickling its headers); a request has {@code requestTimeout} to arrive in full once its
 *       headers are in (408).
 *   <li>Framing: a request whose {@code Transfer-Encoding} does not end in {@code chunked} gets
 *       400 and its connection is closed (the body's length cannot be known, so what follows
 *       could be read as a second, smuggled request); another transfer coding, 501. An HTTP
 *       version other than 1.0 and 1.1 gets 505. Anything the decoder cannot parse gets 400, 414
 *       or 431. All in OpenAI's error format.
 *   <li>A connection that had a framing error takes no further request.
 * </ul>
 *
 * <p>Timing costs no timer operation per request: each connection has one timer, armed when it
 * opens and re-armed when it fires, never further ahead than {@code requestTimeout}; when it fires
 * it checks the connection's deadlines and re-arms for the nearest. A request only writes fields.
 *
 * <p>Concurrency: a connection's timer and request bookkeeping run on its event loop; the fields
 * another loop reads to pick an idle connection to close are volatile, and closing a connection
 * is safe from any thread. The counts are shared by the event loops and atomic; each connection
 * leaves them exactly once ({@code counted}).
 */
public final class ClientLimits {
  private static final Logger LOG = LoggerFactory.getLogger(ClientLimits.class);
  /**
   * How old a connection that has sent nothing must be before it may be closed to make room: a
   * client that has just connected has not had time to send its request (under a flood of new
   * connections it would otherwise be the first closed).
   */
  static final long EVICTION_GRACE_NANOS = 100_000_000L;

  private final Vertx vertx;
  private final int maxConnections;
  private final int maxPerAddress;
  private final long idleMillis;
  private final long requestMillis;
  private final long firstRequestMillis;
  private final int maxHeaderBytes;
  private final AccessLog accessLog;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong evicted = new AtomicLong();
  private final Map<HttpConnection, Connection> connections = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final RateLimitedLog clientErrors = new RateLimitedLog(LOG, 10_000);

  /** One client connection: the request in flight (HTTP/1.1, one at a time), and its timer. */
  private static final class Connection {
    final HttpConnection connection;
    final String address;
    final long openedAt;
    /** Open order, for eviction: never-used connections go oldest first. */
    final long openedNanos = System.nanoTime();
    final AtomicBoolean counted = new AtomicBoolean(true);
    volatile int inFlight;
    volatile int requests;
    /** When the connection last became idle (no request in flight). */
    volatile long idleSince;
    volatile boolean closed;
    /** Set after a framing error: nothing more is read from this connection. */
    volatile boolean poisoned;
    /** The request whose body is awaited, and when its headers arrived; null when none. */
    RoutingContext current;
    long currentSince;
    long timer = -1;

    Connection(HttpConnection connection, String address, long now) {
      this.connection = connection;
      this.address = address;
      this.openedAt = now;
      this.idleSince = now;
    }
  }

  public ClientLimits(Vertx vertx, RouterSettings settings, AccessLog accessLog) {
    this.vertx = vertx;
    this.maxConnections = settings.maxConnections();
    this.maxPerAddress = settings.maxConnectionsPerAddress();
    this.idleMillis = settings.clientIdleTimeout().toMillis();
    this.requestMillis = settings.requestTimeout().toMillis();
    this.firstRequestMillis = settings.firstRequestTimeout().toMillis();
    this.maxHeaderBytes = settings.maxHeaderBytes();
    this.accessLog = accessLog;
  }

  /** The data servers' connection handler. */
  public void connected(HttpConnection connection) {
    long now = nowMillis();
    String address = addressOf(connection);
    Connection state = new Connection(connection, address, now);
    if (maxPerAddress > 0 && perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet() > maxPerAddress) {
      decrementAddress(address);
      refuse(connection, "maxConnectionsPerAddress (" + maxPerAddress + ") reached by " + address);
      return;
    }
    if (open.incrementAndGet() > maxConnections && !evictIdle()) {
      open.decrementAndGet();
      if (maxPerAddress > 0) {
        decrementAddress(address);
      }
      refuse(connection, maxConnections + " client connections open, all busy (maxConnections)");
      return;
    }
    connections.put(connection, state);
    connection.exceptionHandler(failure -> clientErrors.debug("client connection {}: {}", address, failure.toString()));
    if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
      // The channel's own close future: its listener runs the moment the channel closes (at once if it
      // already has), not after the tasks queued on the event loop, so the count follows what is open.
      base.channel().closeFuture().addListener(done -> closed(state));
    } else {
      connection.closeHandler(v -> closed(state));
    }
    arm(state, Math.min(Math.min(idleMillis, requestMillis), firstRequestMillis));
  }

  /** Whether the connection's channel is still open (true when that cannot be told). */
  private static boolean active(HttpConnection connection) {
    return !(connection instanceof io.vertx.core.net.impl.ConnectionBase base) || base.channel().isActive();
  }

  private void closed(Connection state) {
    state.closed = true;
    connections.remove(state.connection);
    uncount(state);
    if (state.timer >= 0) {
      vertx.cancelTimer(state.timer);
      state.timer = -1;
    }
  }

  /** Takes a connection out of the counts, once. */
  private void uncount(Connection state) {
    if (state.counted.compareAndSet(true, false)) {
      open.decrementAndGet();
      if (maxPerAddress > 0) {
        decrementAddress(state.address);
      }
    }
  }

  private void decrementAddress(String address) {
    AtomicInteger count = perAddress.get(address);
    if (count != null && count.decrementAndGet() <= 0) {
      perAddress.remove(address, count);
    }
  }

  private void refuse(HttpConnection connection, String why) {
    if (refused.getAndIncrement() % 1000 == 0) {
      LOG.warn("{}: connection closed; {} refused so far", why, refused.get());
    }
    connection.close();
  }

  /**
   * Closes the idle connection that matters least to make room for a new one: one that never sent
   * a request (oldest first), else the one idle longest. False when every connection is busy.
   */
  private boolean evictIdle() {
    long now = System.nanoTime();
    Connection victim = null;
    boolean freed = false;
    for (Connection candidate : connections.values()) {
      if (!candidate.counted.get()) {
        continue;
      }
      if (!active(candidate.connection)) {
        // Reset by the client, its close not yet handled (a connect-and-reset flood): it is not open.
        uncount(candidate);
        freed = true;
        continue;
      }
      if (candidate.closed || candidate.inFlight > 0
          || candidate.requests == 0 && now - candidate.openedNanos < EVICTION_GRACE_NANOS) {
        continue; // busy, or too young to have sent its first request yet: a client still connecting
      }
      if (victim == null || rank(candidate) < rank(victim)) {
        victim = candidate;
      }
    }
    if (freed) {
      return true;
    }
    if (victim == null) {
      return false;
    }
    uncount(victim); // its slot is the new connection's now; closing it follows
    if (evicted.getAndIncrement() % 1000 == 0) {
      LOG.warn("client connections at maxConnections ({}): closed the idle connection from {} to make room; {} "
          + "closed so far", maxConnections, victim.address, evicted.get());
    }
    victim.connection.close();
    return true;
  }

  /** Eviction order (microseconds): never-used connections first by age, then idle ones by the start of their idleness. */
  private static long rank(Connection c) {
    return c.requests == 0 ? c.openedNanos / 1_000 - Long.MAX_VALUE / 2 : c.idleSince * 1_000;
  }

  /**
   * The data servers' request handler wraps the router with this check: false when the request
   * was answered here (framing error, unsupported version, a poisoned connection) and must not be
   * routed.
   */
  public boolean accept(HttpServerRequest request) {
    Connection state = request.connection() == null ? null : connections.get(request.connection());
    if (state != null && state.poisoned) {
      request.connection().close();
      return false;
    }
    OpenAiError error = null;
    if (request.version() == null) {
      error = new OpenAiError(505, OpenAiError.INVALID_REQUEST, "http_version_not_supported", null,
          "This server speaks HTTP/1.1 (and 1.0) only.");
    } else {
      error = framingError(request.headers().getAll("transfer-encoding"));
    }
    if (error == null) {
      return true;
    }
    if (state != null) {
      state.poisoned = true;
    }
    clientErrors.debug("refused a request from {}: {}", state == null ? "?" : state.address, error.message());
    answerAndClose(request, error);
    return false;
  }

  /**
   * What is wrong with a request's Transfer-Encoding (RFC 9112 section 6): null when it is absent or
   * exactly {@code chunked}.
   */
  static OpenAiError framingError(java.util.List<String> transferEncodings) {
    if (transferEncodings.isEmpty()) {
      return null;
    }
    String last = null;
    boolean other = false;
    for (String header : transferEncodings) {
      for (String coding : header.split(",", -1)) {
        String name = coding.trim().toLowerCase(Locale.ROOT);
        if (!name.equals("chunked")) {
          other = true;
        }
        last = name;
      }
    }
    if (!"chunked".equals(last)) {
      return new OpenAiError(400, OpenAiError.INVALID_REQUEST, "invalid_transfer_encoding", null,
          "Transfer-Encoding must end with chunked; the length of the body cannot be known otherwise.");
    }
    if (other) {
      return new OpenAiError(501, OpenAiError.INVALID_REQUEST, "unsupported_transfer_encoding", null,
          "Only the chunked transfer coding is supported.");
    }
    return null;
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
      state.requests++;
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
      long deadline = state.requests == 0 ? state.openedAt + Math.min(firstRequestMillis, idleMillis)
          : state.idleSince + idleMillis;
      if (now >= deadline) {
        state.connection.close();
        return;
      }
      next = Math.min(next, deadline - now);
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
    Connection state = request.connection() == null ? null : connections.get(request.connection());
    if (state != null) {
      state.poisoned = true;
    }
    clientErrors.debug("unparseable request from {}: {}", state == null ? "?" : state.address,
        cause == null ? "?" : cause.toString());
    answerAndClose(request, error);
  }

  /** Answers with {@code error}, logs and counts it, then closes the connection. */
  private void answerAndClose(HttpServerRequest request, OpenAiError error) {
    long start = System.nanoTime();
    HttpServerResponse response = request.response();
    request.exceptionHandler(ignored -> { });
    response.exceptionHandler(ignored -> { });
    String id = RequestId.generate(); // its headers may not be readable: the client's id is not trusted
    response.setStatusCode(error.status()).putHeader("content-type", "application/json")
        .putHeader(RequestId.HEADER, id).putHeader("connection", "close").end(Buffer.buffer(error.toJson()))
        .onComplete(done -> request.connection().close());
    accessLog.unrouted(request, id, error.status(), System.nanoTime() - start, error.code());
  }

  private static String addressOf(HttpConnection connection) {
    SocketAddress remote = connection.remoteAddress();
    return remote == null || remote.host() == null ? "unknown" : remote.host();
  }

  /** Client connections open now. */
  public int openConnections() {
    return open.get();
  }
}

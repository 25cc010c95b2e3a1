package io.sluice.router.proxy;

import io.sluice.router.api.OpenAiError;
import io.sluice.router.metrics.RouterMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an API request's body into memory, within two limits: {@code maxBodyBytes} for this
 * request (413) and the {@link OverloadGuard}'s bytes for all requests at once (503 {@code
 * overloaded}, with {@code Retry-After}). A declared {@code Content-Length} is checked and held
 * before a byte is read; a chunked body is held as it arrives. What is held is given back when
 * the request ends. A body the client breaks off or that cannot be decoded (a bad chunk size) is
 * answered 400 where an answer can still be sent, and logged at debug level, rate-limited.
 * {@code Expect: 100-continue} is answered once the body is welcome.
 *
 * <p>Concurrency: on the request's event loop; the guard is shared and thread-safe.
 */
final class BodyReader {
  private static final Logger LOG = LoggerFactory.getLogger(BodyReader.class);
  /** The body, as a {@link Buffer}, on the routing context once it has been read in full. */
  static final String BODY = "sluice.body";

  private final long maxBodyBytes;
  private final OverloadGuard guard;
  private final RouterMetrics metrics;
  private final RateLimitedLog clientErrors = new RateLimitedLog(LOG, 10_000);

  BodyReader(long maxBodyBytes, OverloadGuard guard, RouterMetrics metrics) {
    this.maxBodyBytes = maxBodyBytes;
    this.guard = guard;
    this.metrics = metrics;
  }

  /** One body being read: what it holds of the guard's budget, released once. */
  private final class Read {
    final RoutingContext ctx;
    final boolean chunked;
    Buffer body;
    long held;
    boolean over;

    Read(RoutingContext ctx, long declared) {
      this.ctx = ctx;
      this.chunked = declared < 0;
      this.held = Math.max(0, declared);
      this.body = Buffer.buffer((int) Math.min(Math.max(declared, 0), 64 * 1024));
    }

    void chunk(Buffer chunk) {
      if (over) {
        return;
      }
      if (body.length() + (long) chunk.length() > maxBodyBytes) {
        fail(OpenAiError.bodyTooLarge(maxBodyBytes), null);
        return;
      }
      if (chunked || body.length() + chunk.length() > held) { // a client may send more than it declared
        long more = body.length() + chunk.length() - held;
        if (!guard.tryHold(more)) {
          fail(overloaded(), "body_memory");
          return;
        }
        held += more;
      }
      body.appendBuffer(chunk);
    }

    void end() {
      if (!over) {
        over = true;
        ctx.put(BODY, body);
        ctx.next();
      }
    }

    void failed(Throwable cause) {
      if (over) {
        return;
      }
      clientErrors.debug("request body from {} could not be read: {}", ctx.request().remoteAddress(),
          cause.toString());
      fail(OpenAiError.malformedHttp(), null);
      // Vert.x closes the connection right after this handler (a decode failure) and flushes only at
      // the end of a read: flush now, or the answer never leaves.
      if (ctx.request().connection() instanceof io.vertx.core.net.impl.ConnectionBase base) {
        base.channel().flush();
      }
    }

    void fail(OpenAiError error, String overload) {
      over = true;
      body = null;
      if (overload != null) {
        metrics.overloadRefused(overload);
        ctx.response().putHeader("retry-after", "1");
      }
      ProxyHandler.sendErrorAndClose(ctx, error); // the rest of the body is not read
    }

    void release() {
      long bytes = held;
      held = 0;
      if (bytes > 0) {
        guard.release(bytes);
      }
    }
  }

  /** The API routes' body handler, after authentication. */
  void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long declared = contentLength(request);
    if (declared == -2) {
      ProxyHandler.sendErrorAndClose(ctx, OpenAiError.badRequest(null, "Content-Length is not a number."));
      return;
    }
    if (declared > maxBodyBytes) {
      ProxyHandler.sendErrorAndClose(ctx, OpenAiError.bodyTooLarge(maxBodyBytes));
      return;
    }
    if (request.isEnded()) {
      ctx.put(BODY, Buffer.buffer());
      ctx.next();
      return;
    }
    if (guard.heapPressed()) {
      refuse(ctx, "heap");
      return;
    }
    if (declared > 0 && !guard.tryHold(declared)) {
      refuse(ctx, "body_memory");
      return;
    }
    String expect = request.getHeader("expect");
    if (expect != null) {
      if (!expect.equalsIgnoreCase("100-continue")) {
        if (declared > 0) {
          guard.release(declared);
        }
        ProxyHandler.sendErrorAndClose(ctx, new OpenAiError(417, OpenAiError.INVALID_REQUEST, "expectation_failed",
            null, "Only 'Expect: 100-continue' is supported."));
        return;
      }
      if (request.version() != io.vertx.core.http.HttpVersion.HTTP_1_0) {
        ctx.response().writeContinue();
      }
    }
    Read read = new Read(ctx, declared);
    ctx.addEndHandler(ended -> read.release());
    request.handler(read::chunk).exceptionHandler(read::failed).endHandler(v -> read.end()).resume();
  }

  private void refuse(RoutingContext ctx, String reason) {
    metrics.overloadRefused(reason);
    ctx.response().putHeader("retry-after", "1");
    ProxyHandler.sendErrorAndClose(ctx, overloaded());
  }

  private static OpenAiError overloaded() {
    return new OpenAiError(503, OpenAiError.UNAVAILABLE, "overloaded", null,
        "The router is holding as many request bodies as its memory allows; retry after the Retry-After delay.");
  }

  /** The declared length: -1 when there is none (chunked), -2 when it is not a number. */
  private static long contentLength(HttpServerRequest request) {
    String header = request.getHeader("content-length");
    if (header == null) {
      return -1;
    }
    try {
      long length = Long.parseLong(header.trim());
      return length < 0 ? -2 : length;
    } catch (NumberFormatException e) {
      return -2;
    }
  }
}

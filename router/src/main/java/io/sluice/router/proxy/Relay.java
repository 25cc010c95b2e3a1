package io.sluice.router.proxy;

import io.sluice.router.admission.Reservation;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.metrics.RouterMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an answer {@link Forwarder} admitted to the client: the pod's status and headers, then
 * its body as it comes, never buffered past one event-loop turn. The pod is paused while the
 * client's write queue is full; the usage of a 200 answer is watched and the reservation grows
 * when a stream outruns its estimate; a stream the pod breaks ends with an OpenAI-format error
 * event (an event stream) or a reset (any other body), so the client never takes it for complete.
 */
final class Relay {
  /*
   * Concurrency: everything runs on the event loop of the client's connection. The pod's response
   * is read on that loop (the HTTP client is the loop's own), its handlers and the write of a held
   * chunk (runOnContext) run there too, so the exchange's fields (held, upstreamPaused, ...) are
   * plain. The write queue is the only flow control: full, the response is paused until the
   * client's drain handler resumes it.
   */
  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

  private final RouterSettings settings;
  private final RouterMetrics metrics;
  private final AttemptTimer timer;

  Relay(RouterSettings settings, RouterMetrics metrics, AttemptTimer timer) {
    this.settings = settings;
    this.metrics = metrics;
    this.timer = timer;
  }

  /** Relays the pod's answer to the client, or drops it when nobody will read it any more. */
  void relay(Exchange exchange, HttpClientRequest upstream, HttpClientResponse response) {
    HttpServerResponse downstream = exchange.ctx.response();
    if (exchange.over() || downstream.ended() || downstream.closed()) {
      drop(upstream, response);
      return;
    }
    exchange.to(Exchange.Phase.RELAYING);
    downstream.setStatusCode(response.statusCode());
    downstream.setStatusMessage(response.statusMessage());
    Headers.copyResponse(response.headers(), downstream.headers());
    if (!exchange.request.stream() && exchange.reservation != null) {
      // A plain answer's first token is not visible: its prefill counts as done when the response
      // starts (engines send it whole, so this overstates the pod's pending prefill by the decode).
      exchange.reservation.prefillEnded();
    }
    boolean watch = response.statusCode() == 200;
    String contentType = response.getHeader("content-type");
    boolean sse = watch && contentType != null && contentType.startsWith("text/event-stream");
    exchange.sse = sse;
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
      exchange.lastChunkNanos = System.nanoTime();
      Buffer pass = watcher == null ? chunk : watcher.onChunk(chunk);
      if (pass.length() > 0) {
        hold(exchange, response, downstream, pass);
      }
    });
    response.exceptionHandler(failure -> {
      timer.cancel(exchange);
      if (exchange.over() || exchange.streamFailed) {
        return; // a reset is reported once, though Vert.x may call this again as the connection closes
      }
      // The pod dropped the stream or stalled past the idle timeout: the client cannot get a
      // status any more. An event stream ends with an OpenAI-format error event (what OpenAI's
      // own API and SDKs use for a failure mid-stream) and no [DONE]; any other body is cut
      // without its closing chunk, so the client cannot take it for complete.
      exchange.streamFailed = true;
      exchange.runtime.upstreamFailed(exchange.pod.id());
      metrics.upstreamError(exchange.runtime.name(), exchange.podTag(), "stream");
      LOG.debug("stream from pod {} failed: {}", exchange.podTag(), failure.toString());
      Buffer held = takeHeld(exchange);
      if (sse && !downstream.ended()) {
        String detail = failure instanceof TimeoutException || timer.idleExpired(exchange)
            ? "no token for " + settings.idleTimeout().toMillis() + " ms" : Forwarder.describe(failure);
        Buffer event = Buffer.buffer(OpenAiError.streamInterrupted(detail).toStreamEvent(exchange.kind));
        downstream.end(held == null ? event : join(held, event));
      } else {
        downstream.reset();
      }
    });
    response.endHandler(ended -> {
      timer.cancel(exchange);
      Buffer held = takeHeld(exchange);
      Buffer rest = watcher == null ? Buffer.buffer() : watcher.onEnd();
      if (held == null) {
        downstream.end(rest);
      } else {
        downstream.end(rest.length() == 0 ? held : join(held, rest));
      }
    });
  }

  /** Reads an answer nobody will relay to its end, quietly. */
  static void discard(HttpClientResponse response) {
    response.handler(chunk -> { });
    response.exceptionHandler(failure -> { });
  }

  /** Ends an attempt whose answer nobody will read. */
  static void drop(HttpClientRequest upstream, HttpClientResponse response) {
    discard(response); // else the reset's failure is logged as unhandled, once per client that left
    upstream.reset();
  }

  /**
   * Keeps what the pod sent until the end of this event-loop turn and writes it then, in one
   * write: a response that arrives with its end in one read (a whole JSON body, a short stream)
   * costs the client's socket one flush instead of one per chunk and one for the end. Writing in
   * the same turn adds no latency: the task runs as soon as the event loop has handled this read.
   */
  private void hold(Exchange exchange, HttpClientResponse response, HttpServerResponse downstream, Buffer pass) {
    if (exchange.held != null) {
      if (exchange.heldGrows) {
        exchange.held.appendBuffer(pass);
      } else {
        exchange.held = join(exchange.held, pass);
        exchange.heldGrows = true;
      }
      return;
    }
    exchange.held = pass;
    exchange.heldGrows = false; // a chunk, or a slice of one, that cannot grow: the first append copies it
    exchange.context.runOnContext(v -> {
      Buffer out = takeHeld(exchange);
      if (out == null || downstream.ended() || downstream.closed()) {
        return; // the end took it, or nobody will read it
      }
      downstream.write(out);
      if (downstream.writeQueueFull()) {
        response.pause(); // the client reads slower than the pod writes: the silence is ours, not the pod's
        exchange.upstreamPaused = true;
        long now = System.nanoTime();
        exchange.pausedSinceNanos = now;
        long writeMs = settings.clientWriteTimeout().toMillis();
        HttpClientRequest upstream = exchange.upstream;
        if (upstream != null && exchange.timer != -1 && exchange.timerDueNanos - now > writeMs * 1_000_000) {
          timer.cancel(exchange); // due later than the client may keep the pod waiting
          timer.arm(exchange, upstream, writeMs);
        }
        downstream.drainHandler(drained -> {
          exchange.upstreamPaused = false;
          exchange.lastChunkNanos = System.nanoTime();
          response.resume();
        });
      }
    });
  }

  /** A new buffer of both: {@code first} may be a slice of a chunk, which cannot grow. */
  static Buffer join(Buffer first, Buffer second) {
    return Buffer.buffer(first.length() + second.length()).appendBuffer(first).appendBuffer(second);
  }

  /** What {@link #hold} kept and has not written yet (null when nothing), no longer kept. */
  static Buffer takeHeld(Exchange exchange) {
    Buffer out = exchange.held;
    exchange.held = null;
    return out;
  }

  /** A stream outran its reservation: hold more, a block-rounded step at a time. */
  private static void grow(Exchange exchange, long generated) {
    if (exchange.reservation == null) {
      return; // passed through: nothing reserved to grow
    }
    long now = System.nanoTime();
    if (exchange.firstTokenNanos == 0) {
      exchange.firstTokenNanos = now;
      exchange.reservation.firstToken();
    }
    exchange.lastTokenNanos = now;
    Reservation reservation = exchange.reservation;
    long needed = exchange.cost.promptTokens() + generated;
    long held = reservation.tokens();
    if (needed > held && reservation.active()) {
      int block = exchange.runtime.pool().spec().budget().blockSize();
      long step = Math.max(needed - held, held / 10);
      reservation.grow((step + block - 1) / block * block);
    }
  }
}

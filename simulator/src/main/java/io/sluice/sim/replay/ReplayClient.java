package io.sluice.sim.replay;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.HdrHistogram.Recorder;

/**
 * A non-blocking HTTP/1.1 client (Vert.x, pooled keep-alive connections) that sends one chat
 * completion per arrival and times it: first content chunk, gaps between chunks (into the
 * inter-token histogram, in microseconds), end of the response.
 */
public final class ReplayClient {
  private final HttpClient client;
  private final RequestShape shape;
  private final Recorder itlMicros;
  private final long idleTimeoutMs;

  public ReplayClient(Vertx vertx, RequestShape shape, int maxConnectionsPerTarget, long idleTimeoutMs,
                      Recorder itlMicros) {
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(5_000),
        new PoolOptions().setHttp1MaxSize(maxConnectionsPerTarget).setMaxWaitQueueSize(-1));
    this.shape = shape;
    this.itlMicros = itlMicros;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  /** Starts the request and returns at once; {@code done} gets exactly one result. */
  public void send(Arrival arrival, long scheduledNanos, URI target, Consumer<RequestResult> done) {
    long sentAt = System.nanoTime();
    Call call = new Call(arrival, scheduledNanos, sentAt, target.toString(), done);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.getHost())
        .setPort(target.getPort()).setURI("/v1/chat/completions").setIdleTimeout(idleTimeoutMs)
        .putHeader("content-type", "application/json")
        .putHeader("x-sim-output-tokens", Integer.toString(arrival.outputTokens()));
    Buffer body = Buffer.buffer(shape.body(arrival));
    client.request(options).onComplete(connected -> {
      if (connected.failed()) {
        call.fail(0, connected.cause());
        return;
      }
      // handlers go on the response future before the request is sent, so no byte is missed
      HttpClientRequest request = connected.result();
      request.response().onSuccess(call::onResponse).onFailure(failure -> call.fail(0, failure));
      request.end(body);
    });
  }

  /** Closes every connection, aborting requests still in flight; waits up to ten seconds. */
  public void close() {
    try {
      client.close().await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // connections close on their own event loops; nothing is waiting on them any more
    }
  }

  /** One request in flight; its callbacks run on one event loop. */
  private final class Call {
    private final Arrival arrival;
    private final long scheduled;
    private final long sentAt;
    private final String target;
    private final Consumer<RequestResult> done;
    private final SseScanner sse = new SseScanner();
    private long first = -1;
    private long last = -1;
    private long maxGap;
    private int chunks;
    private int status;
    private boolean finished;

    Call(Arrival arrival, long scheduled, long sentAt, String target, Consumer<RequestResult> done) {
      this.arrival = arrival;
      this.scheduled = scheduled;
      this.sentAt = sentAt;
      this.target = target;
      this.done = done;
    }

    void onResponse(HttpClientResponse response) {
      status = response.statusCode();
      if (status != 200 || !shape.stream()) {
        response.body()
            .onSuccess(b -> finish(status == 200 ? "" : errorText(b.toString())))
            .onFailure(f -> fail(status, f));
        return;
      }
      response.handler(this::onChunk);
      response.exceptionHandler(f -> fail(status, f));
      response.endHandler(v -> finish(!sse.error().isEmpty() ? sse.error() : sse.done() ? "" : "stream ended without [DONE]"));
    }

    private void onChunk(Buffer buffer) {
      int contents = sse.feed(buffer.toString());
      if (contents == 0) {
        return;
      }
      long now = System.nanoTime();
      if (first < 0) {
        first = now;
      } else {
        long gap = now - last;
        maxGap = Math.max(maxGap, gap);
        itlMicros.recordValue(TimeUnit.NANOSECONDS.toMicros(gap));
      }
      for (int i = 1; i < contents; i++) {
        itlMicros.recordValue(0);
      }
      chunks += contents;
      last = now;
    }

    void fail(int status, Throwable failure) {
      String text = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
      this.status = status;
      finish(text.length() > 200 ? text.substring(0, 200) : text);
    }

    private void finish(String error) {
      if (finished) {
        return;
      }
      finished = true;
      long end = System.nanoTime();
      done.accept(new RequestResult(arrival.index(), target, arrival.promptTokens(), arrival.outputTokens(),
          shape.stream(), status, error, sentAt - scheduled, first < 0 ? -1 : first - scheduled, end - scheduled,
          chunks, maxGap));
    }

    private String errorText(String body) {
      String oneLine = body.replace('\n', ' ').replace('\r', ' ');
      String text = "HTTP " + status + (oneLine.isBlank() ? "" : ": " + oneLine);
      return text.length() > 200 ? text.substring(0, 200) : text;
    }
  }
}

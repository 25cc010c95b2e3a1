package io.sluice.sim.e2e.chaos;

import io.sluice.sim.replay.Arrival;
import io.sluice.sim.replay.RequestShape;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One chat completion from a client's side, sent through the router, and how it ended for the
 * client: each behaviour of {@link Kind}, each ending a {@link Result}.
 */
final class ChaosClient {
  /** What the client does with its request. */
  enum Kind { PLAIN, STREAM, LEAVE_QUEUED, LEAVE_IN_PREFILL, LEAVE_MID_STREAM, SLOW_READER }

  /** How a request ended for its client. */
  enum Result {
    /** 200 with the whole answer ({@code [DONE]} for a stream). */
    COMPLETE,
    /** An OpenAI-format error with its status. */
    ERROR,
    /**
     * A stream the engine broke after its 200: it ends with an OpenAI-format error event (or, for
     * a client that left meanwhile, a reset).
     */
    CUT,
    /** The client left on purpose. */
    LEFT,
    /** Anything else: a broken invariant. */
    INVALID
  }

  record Outcome(int index, Kind kind, Result result, int status, long millis, String detail) {
  }

  /** One request's shape, drawn by the run. */
  record Request(int index, Kind kind, int prompt, int output, int leaveAfter) {
  }

  private ChaosClient() {
  }

  /** Sends {@code r} to the router on {@code port}; {@code done} is called exactly once. */
  static void send(Vertx vertx, HttpClient http, int port, String model, Request r, Consumer<Outcome> done) {
    Kind kind = r.kind();
    int index = r.index();
    boolean stream = kind != Kind.PLAIN;
    String body = new RequestShape(model, stream, RequestShape.FROM_TRACE)
        .body(new Arrival(index, 0, r.prompt(), r.output()));
    long start = System.nanoTime();
    AtomicBoolean over = new AtomicBoolean();
    AtomicBoolean headers = new AtomicBoolean();
    long[] watchdog = new long[1];
    Consumer<Outcome> finish = outcome -> {
      if (over.compareAndSet(false, true)) {
        vertx.cancelTimer(watchdog[0]);
        done.accept(outcome);
      }
    };
    BiConsumer<Result, String> end = (result, detail) -> finish.accept(new Outcome(index, kind,
        result, 0, (System.nanoTime() - start) / 1_000_000, detail));
    watchdog[0] = vertx.setTimer(60_000, t -> end.accept(Result.INVALID, "no answer within 60 s"));
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/v1/chat/completions").putHeader("content-type", "application/json");
    http.request(options).onFailure(f -> end.accept(Result.INVALID, "cannot reach the router: " + f))
        .onSuccess(request -> {
          if (kind == Kind.LEAVE_QUEUED) {
            vertx.setTimer(5 + r.leaveAfter() * 10L, t -> {
              if (!headers.get() && !over.get()) {
                end.accept(Result.LEFT, "before any answer"); // first: the reset fails the response at once
                request.reset();
              }
            });
          }
          request.response()
              .onFailure(f -> end.accept(over.get() ? Result.LEFT : Result.INVALID, "no response: " + f))
              .onSuccess(response -> read(vertx, request, response, kind, r.leaveAfter(), headers, over,
                  (result, detail) -> finish.accept(new Outcome(index, kind, result, response.statusCode(),
                      (System.nanoTime() - start) / 1_000_000, detail))));
          request.end(Buffer.buffer(body));
        });
  }

  private static void read(Vertx vertx, HttpClientRequest request, HttpClientResponse response, Kind kind,
                           int leaveAfter, AtomicBoolean headers, AtomicBoolean over, BiConsumer<Result, String> end) {
    headers.set(true);
    int status = response.statusCode();
    if (status == 200 && kind == Kind.LEAVE_IN_PREFILL) {
      end.accept(Result.LEFT, "during prefill"); // headers are here, no token yet: the engine is on the prompt
      response.exceptionHandler(failure -> { }); // the reset's own failure (Vert.x logs an unhandled one)
      request.reset();
      return;
    }
    Buffer received = Buffer.buffer();
    AtomicInteger chunks = new AtomicInteger();
    response.handler(chunk -> {
      received.appendBuffer(chunk);
      int events = chunks.addAndGet(count(chunk.toString(), "data: "));
      if (status == 200 && kind == Kind.LEAVE_MID_STREAM && events >= leaveAfter && !over.get()) {
        end.accept(Result.LEFT, "mid-stream");
        request.reset();
      }
    });
    response.exceptionHandler(failure -> {
      if (!over.get()) {
        boolean cut = status == 200 && kind != Kind.PLAIN && !received.toString().contains("data: [DONE]");
        end.accept(cut ? Result.CUT : Result.INVALID, "status " + status + " then " + failure);
      }
    });
    response.endHandler(v -> {
      Result result = classify(status, received.toString(), kind != Kind.PLAIN);
      end.accept(result, result == Result.CUT ? lastEvent(received.toString()) : "");
    });
    if (kind == Kind.SLOW_READER) {
      response.pause();
      vertx.setPeriodic(20, id -> {
        if (over.get()) {
          vertx.cancelTimer(id);
        } else {
          response.fetch(1);
        }
      });
    }
  }

  private static Result classify(int status, String body, boolean stream) {
    if (status == 200) {
      if (stream) {
        // A stream the engine broke after the 200 ends with an OpenAI-format error event, no [DONE].
        return body.contains("data: [DONE]") ? Result.COMPLETE : endsWithErrorEvent(body) ? Result.CUT : Result.INVALID;
      }
      try {
        return new JsonObject(body).getJsonArray("choices") != null ? Result.COMPLETE : Result.INVALID;
      } catch (RuntimeException e) {
        return Result.INVALID;
      }
    }
    try {
      return isOpenAiError(new JsonObject(body).getJsonObject("error")) ? Result.ERROR : Result.INVALID;
    } catch (RuntimeException e) {
      return Result.INVALID;
    }
  }

  private static String lastEvent(String body) {
    String[] events = body.trim().split("\n\n");
    return events[events.length - 1];
  }

  private static boolean endsWithErrorEvent(String body) {
    String last = lastEvent(body);
    try {
      return last.startsWith("data: ") && isOpenAiError(new JsonObject(last.substring(6)).getJsonObject("error"));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean isOpenAiError(JsonObject error) {
    return error != null && error.containsKey("message") && error.containsKey("type") && error.containsKey("param")
        && error.containsKey("code");
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      n++;
    }
    return n;
  }
}

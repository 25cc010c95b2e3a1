package io.sluice.router.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal OpenAI-compatible backend for proxy tests: answers chat, completions and embeddings
 * (streaming too), and misbehaves on demand. Records what it received and which streams the client
 * side closed before the end.
 */
public final class FakeEngine implements AutoCloseable {
  /** How the engine answers. */
  public enum Mode {
    NORMAL,
    /** Close the connection without answering. */
    DROP,
    /** Never answer. */
    STALL,
    /** Answer 400 with an engine-format error. */
    BAD_REQUEST,
    /** Send headers and two chunks, then close the connection. */
    DROP_MID_STREAM,
    /** Send headers and two chunks, then nothing more, keeping the connection open. */
    STALL_MID_STREAM,
    /** Answer 500 (an engine fault). */
    ERROR_500,
    /** Answer 503 (the engine is overloaded). */
    BUSY_503
  }

  public static final String BUSY =
      "{\"object\":\"error\",\"message\":\"overloaded\",\"type\":\"ServiceUnavailableError\",\"code\":503}";
  public static final String ENGINE_ERROR =
      "{\"object\":\"error\",\"message\":\"This model's maximum context length is 32 tokens.\","
          + "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}";

  private final Vertx vertx;
  private final String name;
  private HttpServer server;
  public volatile Mode mode = Mode.NORMAL;
  /** Tokens a stream sends, and the pause between them. */
  public volatile int streamTokens = 5;
  public volatile long tokenIntervalMs = 1;
  /** Extra characters in each streamed token, to make a stream large. */
  public volatile int tokenPadding = 0;
  /** What ends each line of a stream: LF, or CRLF or CR (both allowed by the SSE spec). */
  public volatile String lineEnd = "\n";
  /** If positive, each event of a stream is written in pieces of this many bytes (one HTTP chunk each). */
  public volatile int pieceBytes = 0;
  /** If set, every stream is answered with exactly these bytes (in pieces of {@link #pieceBytes}), whatever was asked. */
  public volatile byte[] rawStream;
  /** KV-cache blocks of 16 tokens reported on /metrics. */
  public volatile int kvBlocks = 1000;
  /** Running and waiting requests reported on /metrics. */
  public volatile int metricsRunning = 2;
  public volatile int metricsWaiting = 1;
  /** Headers added to every API answer (e.g. an engine's own CORS or request-id headers). */
  public volatile java.util.Map<String, String> answerHeaders = java.util.Map.of();
  public final List<JsonObject> received = new CopyOnWriteArrayList<>();
  public final List<String> receivedHeaders = new CopyOnWriteArrayList<>();
  /** The request target of each API request received, as sent on the wire. */
  public final List<String> receivedTargets = new CopyOnWriteArrayList<>();
  public final AtomicInteger streamsClosedEarly = new AtomicInteger();
  public final AtomicInteger streamsCompleted = new AtomicInteger();
  public final AtomicInteger tokensSent = new AtomicInteger();

  public FakeEngine(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
  }

  public FakeEngine start() throws Exception {
    server = vertx.createHttpServer().requestHandler(this::handle);
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return this;
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  private void handle(HttpServerRequest request) {
    if (request.path().equals("/metrics")) {
      request.response().putHeader("content-type", "text/plain").end(
          "# TYPE vllm:cache_config_info gauge\n"
              + "vllm:cache_config_info{block_size=\"16\",cache_dtype=\"auto\",num_gpu_blocks=\"" + kvBlocks
              + "\"} 1.0\n"
              + "vllm:num_requests_running{engine=\"0\",model_name=\"m\"} " + metricsRunning + "\n"
              + "vllm:num_requests_waiting{engine=\"0\",model_name=\"m\"} " + metricsWaiting + "\n"
              + "vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"m\"} 0.5\n");
      return;
    }
    request.body().onSuccess(body -> {
      String type = request.getHeader("content-type");
      JsonObject json = body.length() == 0 ? new JsonObject()
          : type != null && type.startsWith("multipart/") ? new JsonObject().put("multipartBytes", body.length())
          : body.toJsonObject();
      received.add(json);
      receivedTargets.add(request.uri());
      receivedHeaders.add(request.headers().entries().toString());
      HttpServerResponse response = request.response();
      answerHeaders.forEach(response::putHeader);
      switch (mode) {
        case DROP -> request.connection().close();
        case STALL -> { }
        case BAD_REQUEST -> response.setStatusCode(400).putHeader("content-type", "application/json").end(ENGINE_ERROR);
        case ERROR_500 -> response.setStatusCode(500).putHeader("content-type", "application/json")
            .end("{\"object\":\"error\",\"message\":\"engine fault\",\"type\":\"InternalServerError\",\"code\":500}");
        case BUSY_503 -> response.setStatusCode(503).putHeader("content-type", "application/json").end(BUSY);
        default -> answer(request.path(), json, response);
      }
    });
  }

  private void answer(String path, JsonObject body, HttpServerResponse response) {
    String model = body.getString("model");
    // A streamed /v1/responses gets a completion-shaped stream: enough for the router's relay and
    // its failure paths (the emulator speaks the real Responses events).
    boolean responsesStream = path.equals("/v1/responses") && body.getBoolean("stream", false);
    if (!path.startsWith("/v1/chat/") && !path.equals("/v1/completions") && !path.equals("/v1/embeddings")
        && !responsesStream) {
      // vLLM's other endpoints: which one answered, in a JSON shape of the kind vLLM uses.
      response.putHeader("content-type", "application/json").end(new JsonObject()
          .put("object", "fake").put("path", path).put("pod", name).put("model", model)
          .put("text", "hello from " + name)
          .put("usage", new JsonObject().put("prompt_tokens", 3).put("total_tokens", 3)).encode());
      return;
    }
    boolean stream = body.getBoolean("stream", false);
    if (path.equals("/v1/embeddings")) {
      response.putHeader("content-type", "application/json").end(new JsonObject()
          .put("object", "list").put("model", model)
          .put("data", new JsonArray().add(new JsonObject().put("object", "embedding").put("index", 0)
              .put("embedding", new JsonArray().add(0.1).add(0.2).add(0.3))))
          .put("usage", new JsonObject().put("prompt_tokens", 3).put("total_tokens", 3)).encode());
      return;
    }
    boolean chat = path.equals("/v1/chat/completions");
    if (!stream) {
      JsonObject choice = chat
          ? new JsonObject().put("index", 0).put("finish_reason", "stop")
              .put("message", new JsonObject().put("role", "assistant").put("content", "hello from " + name))
          : new JsonObject().put("index", 0).put("finish_reason", "stop").put("text", "hello from " + name)
              .putNull("logprobs");
      response.putHeader("content-type", "application/json").end(new JsonObject()
          .put("id", "cmpl-1").put("object", chat ? "chat.completion" : "text_completion")
          .put("created", 1).put("model", model).put("choices", new JsonArray().add(choice))
          .put("usage", usage(3, 4)).encode());
      return;
    }
    response.setChunked(true).putHeader("content-type", "text/event-stream");
    response.closeHandler(v -> {
      if (!response.ended()) {
        streamsClosedEarly.incrementAndGet();
      }
    });
    byte[] raw = rawStream;
    if (raw != null) {
      int piece = pieceBytes <= 0 ? raw.length : pieceBytes;
      for (int at = 0; at < raw.length; at += piece) {
        response.write(Buffer.buffer(java.util.Arrays.copyOfRange(raw, at, Math.min(raw.length, at + piece))));
      }
      response.end();
      streamsCompleted.incrementAndGet();
      return;
    }
    boolean includeUsage = body.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
    sendChunk(response, model, chat, 0, includeUsage);
  }

  private void sendChunk(HttpServerResponse response, String model, boolean chat, int index, boolean includeUsage) {
    if (response.closed()) {
      return;
    }
    if (mode == Mode.DROP_MID_STREAM && index == 2) {
      response.reset();
      return;
    }
    if (mode == Mode.STALL_MID_STREAM && index == 2) {
      return;
    }
    if (index == streamTokens) {
      JsonObject last = chunk(model, chat, null, "stop");
      event(response, "data: " + last.encode(), false);
      if (includeUsage) {
        event(response, "data: " + new JsonObject().put("id", "chunk-1").put("object", "chat.completion.chunk")
            .put("created", 1).put("model", model).put("choices", new JsonArray())
            .put("usage", usage(3, streamTokens)).encode(), false);
      }
      event(response, "data: [DONE]", true);
      streamsCompleted.incrementAndGet();
      return;
    }
    event(response, "data: " + chunk(model, chat, "t" + index + " " + "p".repeat(tokenPadding), null).encode(), false);
    tokensSent.incrementAndGet();
    vertx.setTimer(Math.max(1, tokenIntervalMs), id -> sendChunk(response, model, chat, index + 1, includeUsage));
  }

  /** Writes one event, framed with {@link #lineEnd}, whole or in pieces of {@link #pieceBytes}; the last ends the response. */
  private void event(HttpServerResponse response, String lines, boolean last) {
    String end = lineEnd;
    Buffer event = Buffer.buffer(lines.replace("\n", end) + end + end);
    int piece = pieceBytes <= 0 ? event.length() : pieceBytes;
    for (int at = 0; at < event.length(); at += piece) {
      Buffer part = event.slice(at, Math.min(event.length(), at + piece)).copy();
      if (last && at + piece >= event.length()) {
        response.end(part);
      } else {
        response.write(part);
      }
    }
  }

  private static JsonObject chunk(String model, boolean chat, String text, String finish) {
    JsonObject choice = new JsonObject().put("index", 0).put("finish_reason", finish);
    if (chat) {
      choice.put("delta", text == null ? new JsonObject() : new JsonObject().put("content", text));
    } else {
      choice.put("text", text == null ? "" : text);
    }
    return new JsonObject().put("id", "chunk-1").put("object", chat ? "chat.completion.chunk" : "text_completion")
        .put("created", 1).put("model", model).put("choices", new JsonArray().add(choice));
  }

  private static JsonObject usage(int prompt, int completion) {
    return new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}

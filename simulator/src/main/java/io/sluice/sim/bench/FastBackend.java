package io.sluice.sim.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * A backend that answers at once, for measuring what a proxy adds: POST /v1/chat/completions
 * gets a fixed answer of {@code tokens} tokens (a JSON body, or an SSE stream written in one go
 * with {@code [DONE]}), GET /metrics a vLLM cache size so Sluice's {@code tokensPerPod: auto}
 * works. The request body is read but not parsed, except for the {@code "stream":true} flag.
 */
public final class FastBackend extends VerticleBase {
  private static final Buffer METRICS = Buffer.buffer(
      "vllm:cache_config_info{block_size=\"16\",num_gpu_blocks=\"100000\",enable_prefix_caching=\"True\"} 1.0\n");
  private final Buffer json;
  private final Buffer sse;
  private HttpServer server;

  public FastBackend(int tokens) {
    StringBuilder text = new StringBuilder();
    StringBuilder events = new StringBuilder(
        "data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
    for (int i = 0; i < tokens; i++) {
      text.append("tok ");
      events.append("data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok \"}")
          .append(i == tokens - 1 ? ",\"finish_reason\":\"stop\"" : "").append("}]}\n\n");
    }
    String usage = "\"usage\":{\"prompt_tokens\":16,\"completion_tokens\":" + tokens + ",\"total_tokens\":" + (16 + tokens) + "}";
    events.append("data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"choices\":[],").append(usage).append("}\n\n");
    events.append("data: [DONE]\n\n");
    this.sse = Buffer.buffer(events.toString());
    this.json = Buffer.buffer("{\"id\":\"b\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
        + "{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}]," + usage + "}");
  }

  /** Deploys one backend on {@code vertx} on a free loopback port; returns the port. */
  public static Future<Integer> deploy(Vertx vertx, int tokens) {
    FastBackend first = new FastBackend(tokens);
    return vertx.deployVerticle(first).map(id -> first.server.actualPort());
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setTcpNoDelay(true));
    return server.requestHandler(this::handle).listen(0);
  }

  private void handle(HttpServerRequest request) {
    if (request.path().equals("/metrics")) {
      request.response().putHeader("content-type", "text/plain; version=0.0.4").end(METRICS);
      return;
    }
    request.body().onSuccess(body -> {
      boolean stream = body.toString().contains("\"stream\":true");
      if (stream) {
        request.response().setChunked(true).putHeader("content-type", "text/event-stream").end(sse);
      } else {
        request.response().putHeader("content-type", "application/json").end(json);
      }
    });
  }
}

package io.sluice.router.proxy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.crd.EngineKind;
import io.sluice.router.estimate.RemoteTokenizer;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts prompt tokens with a pod's own tokenize API (vLLM {@code POST /tokenize}, SGLang
 * {@code POST /v1/tokenize}), for pools with {@code tokenizer.type: engine}. Pods are asked in turn;
 * the estimator adds the timeout, the cache and the approximate fallback.
 */
public final class EngineTokenizer implements RemoteTokenizer {
  private final HttpClient client;
  private final Pool pool;
  private final AtomicInteger next = new AtomicInteger();

  public EngineTokenizer(HttpClient client, Pool pool) {
    this.client = client;
    this.pool = pool;
  }

  @Override
  public CompletableFuture<Integer> count(String model, ObjectNode body) {
    List<Pod> pods = pool.pods();
    if (pods.isEmpty()) {
      return CompletableFuture.failedFuture(new IllegalStateException("no pod to ask"));
    }
    Pod pod = pods.get(Math.floorMod(next.getAndIncrement(), pods.size()));
    String path = pool.spec().engine() == EngineKind.SGLANG ? "/v1/tokenize" : "/tokenize";
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(pod.host())
        .setPort(pod.port()).setSsl(pod.tls()).setURI(path).putHeader("content-type", "application/json");
    Buffer payload = Buffer.buffer(tokenizeBody(model, body).toString());
    return client.request(options)
        .compose(request -> request.send(payload))
        .compose(response -> response.statusCode() == 200 ? response.body()
            : Future.failedFuture("tokenize answered " + response.statusCode()))
        .map(answer -> {
          Integer count = new JsonObject(answer).getInteger("count");
          if (count == null) {
            throw new IllegalStateException("tokenize answer has no count");
          }
          return count;
        })
        .toCompletionStage().toCompletableFuture();
  }

  /** The tokenize request for a chat (messages, tools, generation prompt) or a plain prompt. */
  static ObjectNode tokenizeBody(String model, ObjectNode body) {
    ObjectNode request = JsonNodeFactory.instance.objectNode().put("model", model);
    if (body.has("messages")) {
      request.set("messages", body.get("messages"));
      if (body.has("tools")) {
        request.set("tools", body.get("tools"));
      }
      request.put("add_generation_prompt", true);
    } else {
      request.set("prompt", body.has("prompt") ? body.get("prompt") : body.get("input"));
    }
    return request;
  }
}

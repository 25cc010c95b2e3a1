package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;

/**
 * The engine's own tokenize API (vLLM {@code POST /tokenize}, SGLang {@code /v1/tokenize}), seen
 * from the estimator. The router implements it over its HTTP client; the estimator adds the
 * timeout, the cache and the fallback.
 */
@FunctionalInterface
public interface RemoteTokenizer {
  /**
   * Asks a pod serving {@code model} how many prompt tokens {@code body} has (a chat-completions,
   * completions or embeddings body as the client sent it). Must not block the caller; completes
   * exceptionally when the pod cannot answer.
   */
  CompletableFuture<Integer> count(String model, ObjectNode body);
}

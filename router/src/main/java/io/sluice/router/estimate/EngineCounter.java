package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sluice.router.api.ApiKind;
import io.sluice.router.api.InferenceRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a pod's tokenize API, so the count is the engine's own (template and tokenizer included).
 * Counts are cached by a hash of the prompt (model, messages, tools, prompt or input); a pod that
 * does not answer within the timeout, or fails, is replaced by the approximate count, reported as
 * {@code approximate-fallback} and to the listener.
 *
 * <p>This counter waits on I/O, not the CPU: {@link #countAsync} never uses the worker pool.
 */
public final class EngineCounter implements PromptCounter {
  private static final String[] PROMPT_FIELDS = {"messages", "instructions", "tools", "prompt", "input",
      "chat_template_kwargs",
      "add_generation_prompt"};

  private final RemoteTokenizer remote;
  private final Duration timeout;
  private final ApproximateCounter fallback;
  private final EstimatorListener listener;
  private final Cache<ContentHash, Long> counts;

  public EngineCounter(RemoteTokenizer remote, Duration timeout, int imageTokens, long maxCachedPrompts,
      EstimatorListener listener) {
    this.remote = remote;
    this.timeout = timeout;
    this.fallback = new ApproximateCounter(imageTokens).asFallback();
    this.listener = listener;
    this.counts = Caffeine.newBuilder().maximumSize(maxCachedPrompts).build();
  }

  @Override
  public CompletableFuture<PromptCount> countAsync(InferenceRequest request, Executor worker) {
    ContentHash key = key(request);
    Long cached = counts.getIfPresent(key);
    if (cached != null) {
      return CompletableFuture.completedFuture(new PromptCount(cached, PromptCount.CACHE));
    }
    CompletableFuture<Integer> asked;
    try {
      // A Responses body is tokenized as the chat it amounts to (the tokenize API takes messages).
      ObjectNode body = request.kind() == ApiKind.RESPONSES ? ResponsesChat.of(request.body()) : request.body();
      asked = remote.count(request.model(), body);
    } catch (RuntimeException e) {
      asked = CompletableFuture.failedFuture(e);
    }
    return asked.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).handle((tokens, error) -> {
      if (error == null && tokens != null && tokens >= 0) {
        counts.put(key, tokens.longValue());
        return new PromptCount(tokens, PromptCount.ENGINE);
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      listener.fallback(cause instanceof TimeoutException ? EstimatorListener.ENGINE_TIMEOUT
          : EstimatorListener.ENGINE_ERROR);
      return fallback.count(request);
    });
  }

  /** Waits for the engine (up to the timeout): for offline use only, never on an event loop. */
  @Override
  public PromptCount count(InferenceRequest request) {
    return countAsync(request, Runnable::run).join();
  }

  private static ContentHash key(InferenceRequest request) {
    StringBuilder text = new StringBuilder(request.model()).append('\u0000')
        .append(request.kind().label()).append('\u0000');
    ObjectNode body = request.body();
    for (String field : PROMPT_FIELDS) {
      JsonNode value = body.get(field);
      if (value != null) {
        text.append(field).append('\u0000').append(value).append('\u0000');
      }
    }
    return ContentHash.of(0, text);
  }
}

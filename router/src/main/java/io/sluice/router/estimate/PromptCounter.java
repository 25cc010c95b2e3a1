package io.sluice.router.estimate;

import io.sluice.router.api.InferenceRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Counts the prompt tokens of a request: every part that becomes tokens in the engine (messages,
 * system prompt, tool definitions, tool calls, images at a flat cost, completion prompts, token id
 * arrays, embedding inputs).
 *
 * <p>Implementations are thread-safe. {@link #count} may be CPU-heavy (an exact tokenizer costs
 * about 2 µs per token): never call it on an event loop; {@link TokenEstimator} runs it on its
 * bounded worker pool.
 */
public interface PromptCounter {

  /** Counts synchronously on the calling thread. */
  PromptCount count(InferenceRequest request);

  /**
   * Counts asynchronously. The default runs {@link #count} on {@code worker}; a counter that
   * waits on I/O instead of the CPU (the engine's tokenize API) overrides this and leaves the
   * worker alone.
   *
   * @throws java.util.concurrent.RejectedExecutionException when {@code worker} is saturated;
   *     thrown here, synchronously, so that the caller can fall back at once
   */
  default CompletableFuture<PromptCount> countAsync(InferenceRequest request, Executor worker) {
    CompletableFuture<PromptCount> result = new CompletableFuture<>();
    worker.execute(() -> {
      try {
        result.complete(count(request));
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  /**
   * Whether {@link #count} is cheap enough (no tokenizer, linear in the text with a small
   * constant) to run on the caller's thread, event loops included.
   */
  default boolean cheap() {
    return false;
  }
}

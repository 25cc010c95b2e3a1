package io.sluice.router.estimate;

import io.sluice.router.api.ApiException;
import io.sluice.router.api.InferenceRequest;
import io.sluice.router.estimate.jinja.TemplateException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Estimates a request's cost for one pool: prompt tokens from the pool's counter, output tokens
 * from its {@link OutputPredictor}, and the reservation from its {@link ReservationPolicy}.
 *
 * <p>Exact counting runs on a bounded worker pool, never on the caller's thread. When the pool
 * rejects the task (saturated), the request is counted approximately at once, reported as
 * {@code approximate-fallback}, counted in {@link #fallbacks()} and told to the listener: a burst
 * costs accuracy, never latency.
 */
public final class TokenEstimator {
  /* Concurrency: estimate() hands exact counting to `worker` with execute(); the executor must
   * reject when full (ThreadPoolExecutor.AbortPolicy over a bounded queue; never CallerRunsPolicy,
   * which would tokenize on the event loop). A rejection is caught on the caller's thread and
   * answered with the approximate count. The returned future completes on a worker thread, an
   * engine client's thread, or the caller's thread (cheap counts and fallbacks): callers hop back
   * to their own context. The predictor and the counters are thread-safe; nothing here locks. */

  private final PromptCounter counter;
  private final ApproximateCounter fallback;
  private final OutputPredictor output;
  private final ReservationPolicy reservation;
  private final Executor worker;
  private final EstimatorListener listener;
  private final LongAdder fallbacks = new LongAdder();

  /**
   * @param counter the pool's prompt counter
   * @param imageTokens flat cost of an image in the fallback count
   * @param output the pool's output predictor
   * @param reservation the pool's reservation sizing
   * @param worker bounded executor that throws {@link RejectedExecutionException} when full
   * @param listener told of every fallback
   */
  public TokenEstimator(PromptCounter counter, int imageTokens, OutputPredictor output,
      ReservationPolicy reservation, Executor worker, EstimatorListener listener) {
    this.counter = counter;
    this.fallback = new ApproximateCounter(imageTokens).asFallback();
    this.output = output;
    this.reservation = reservation;
    this.worker = worker;
    this.listener = listener;
  }

  /**
   * Estimates without blocking the caller; exact counting happens on the worker pool. The future
   * fails with an {@link ApiException} when the engine would refuse the request (its chat template
   * raised on it): nothing should be reserved for it.
   */
  public CompletableFuture<CostEstimate> estimate(InferenceRequest request, String tenant) {
    if (counter.cheap()) {
      return CompletableFuture.completedFuture(combine(counter.count(request), request, tenant));
    }
    CompletableFuture<PromptCount> prompt;
    try {
      prompt = counter.countAsync(request, worker);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(combine(fallBack(request, EstimatorListener.SATURATED), request, tenant));
    }
    return prompt.handle((count, error) -> {
      if (error == null) {
        return combine(count, request, tenant);
      }
      return combine(fallBack(request, failure(error)), request, tenant);
    });
  }

  /**
   * Why the exact count failed, as a fallback reason; a request the engine would refuse (its chat
   * template raised) is not counted at all but rethrown, for the caller to answer with its error.
   */
  private static String failure(Throwable error) {
    ApiException refused = ApiException.in(error);
    if (refused != null) {
      throw refused;
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause instanceof TemplateException t && t.kind() == TemplateException.Kind.LIMIT
        ? EstimatorListener.TEMPLATE_LIMIT : EstimatorListener.COUNTER_ERROR;
  }

  /**
   * Estimates on the calling thread (exact counting included): for the offline simulator, tests
   * and tools, never for an event loop.
   */
  public CostEstimate estimateNow(InferenceRequest request, String tenant) {
    PromptCount count;
    try {
      count = counter.count(request);
    } catch (RuntimeException e) {
      count = fallBack(request, failure(e));
    }
    return combine(count, request, tenant);
  }

  /** Feeds the real output length of a finished request to the output predictor. */
  public void observe(String source, long actualOutputTokens, int choices) {
    output.observe(source, actualOutputTokens, choices);
  }

  /**
   * Feeds the real output length of {@code request}, finished, from {@code source}; its own
   * {@code max_tokens} bounds what it teaches.
   */
  public void observe(String source, InferenceRequest request, long actualOutputTokens) {
    output.observe(source, actualOutputTokens, OutputPredictor.choicesOf(request), OutputPredictor.boundOf(request));
  }

  /** Whether the prompt alone can never fit a pod whose budget is at most {@code largestPodBudget}. */
  public boolean neverFits(CostEstimate estimate, long largestPodBudget) {
    return reservation.neverFits(estimate, largestPodBudget);
  }

  /** Estimates counted approximately because the worker pool was saturated or the counter failed. */
  public long fallbacks() {
    return fallbacks.sum();
  }

  public OutputPredictor outputPredictor() {
    return output;
  }

  public ReservationPolicy reservationPolicy() {
    return reservation;
  }

  private PromptCount fallBack(InferenceRequest request, String reason) {
    fallbacks.increment();
    listener.fallback(reason);
    return fallback.count(request);
  }

  private CostEstimate combine(PromptCount prompt, InferenceRequest request, String tenant) {
    OutputEstimate out = output.predict(request, tenant);
    return new CostEstimate(prompt.tokens(), out.tokens(), reservation.reservation(prompt.tokens(), out.tokens()),
        prompt.source(), out.source());
  }
}

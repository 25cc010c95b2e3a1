package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.router.api.ApiException;
import io.sluice.router.api.InferenceRequest;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.estimate.jinja.TemplateException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {
  private final List<String> reasons = new CopyOnWriteArrayList<>();
  private final ThreadPoolExecutor worker = TokenEstimators.newWorkerPool(1, 1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final InferenceRequest request = Requests.chat("""
      {"max_tokens": 100, "messages": [{"role": "user", "content": "abcdefgh"}]}""");

  /** An exact counter that answers 1000 and remembers its thread. */
  private static final class ExactCounter implements PromptCounter {
    volatile Thread ranOn;

    @Override
    public PromptCount count(InferenceRequest request) {
      ranOn = Thread.currentThread();
      return new PromptCount(1000, PromptCount.HUGGINGFACE);
    }
  }

  private TokenEstimator estimator(PromptCounter counter) {
    return new TokenEstimator(counter, 576, new OutputPredictor(new OutputPredictor.Settings(0.9, 256, 100, 60, 20, 50, 100)),
        new ReservationPolicy(1.0, 64, 1 << 20, 16), worker, reasons::add);
  }

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    worker.shutdown();
    assertThat(worker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void exactCountingRunsOnTheWorkerPool() {
    ExactCounter counter = new ExactCounter();
    CostEstimate estimate = estimator(counter).estimate(request, "t").join();
    assertThat(estimate).isEqualTo(new CostEstimate(1000, 100, 1104, PromptCount.HUGGINGFACE, OutputEstimate.MAX_TOKENS));
    assertThat(counter.ranOn).isNotSameAs(Thread.currentThread());
    assertThat(counter.ranOn.getName()).startsWith("sluice-estimator-");
  }

  @Test
  void aSaturatedPoolFallsBackAtOnceAndCountsIt() {
    worker.execute(this::awaitRelease);
    worker.execute(this::awaitRelease);
    ExactCounter counter = new ExactCounter();
    TokenEstimator estimator = estimator(counter);
    CompletableFuture<CostEstimate> estimate = estimator.estimate(request, "t");
    assertThat(estimate).isCompleted();
    // "user" and "abcdefgh": 12 code points -> 3, plus framing 4 + 3.
    assertThat(estimate.join()).isEqualTo(new CostEstimate(10, 100, 112, PromptCount.FALLBACK, OutputEstimate.MAX_TOKENS));
    assertThat(counter.ranOn).isNull();
    assertThat(estimator.fallbacks()).isEqualTo(1);
    assertThat(reasons).containsExactly(EstimatorListener.SATURATED);
  }

  @Test
  void aFailingCounterFallsBack() {
    TokenEstimator estimator = estimator(r -> { throw new IllegalStateException("bad tokenizer"); });
    assertThat(estimator.estimate(request, null).join().promptSource()).isEqualTo(PromptCount.FALLBACK);
    assertThat(estimator.estimateNow(request, null).promptSource()).isEqualTo(PromptCount.FALLBACK);
    assertThat(estimator.fallbacks()).isEqualTo(2);
    assertThat(reasons).containsExactly(EstimatorListener.COUNTER_ERROR, EstimatorListener.COUNTER_ERROR);
  }

  /** Issue 18: a chat the engine would refuse (its template raised) is refused, not estimated. */
  @Test
  void aRequestTheTemplateRefusesFailsTheEstimateWithItsError() {
    ApiException refused = new ApiException(OpenAiError.badRequest(null, "Conversation roles must alternate"));
    TokenEstimator estimator = estimator(r -> { throw refused; });
    assertThatThrownBy(() -> estimator.estimate(request, null).join()).hasCause(refused);
    assertThatThrownBy(() -> estimator.estimateNow(request, null)).isSameAs(refused);
    assertThat(estimator.fallbacks()).isZero();
    assertThat(reasons).isEmpty();
  }

  /** A template that runs past its bounds costs accuracy, not the request: counted approximately. */
  @Test
  void aTemplatePastItsLimitsFallsBackWithItsOwnReason() {
    TokenEstimator estimator = estimator(r -> {
      throw new TemplateException(TemplateException.Kind.LIMIT, "the render took more than 20000000 steps");
    });
    assertThat(estimator.estimate(request, null).join().promptSource()).isEqualTo(PromptCount.FALLBACK);
    assertThat(reasons).containsExactly(EstimatorListener.TEMPLATE_LIMIT);
  }

  @Test
  void cheapCountersRunOnTheCallersThreadEvenWhenSaturated() {
    worker.execute(this::awaitRelease);
    worker.execute(this::awaitRelease);
    TokenEstimator estimator = estimator(new ApproximateCounter(576));
    assertThat(estimator.estimate(request, null).join().promptSource()).isEqualTo(PromptCount.APPROXIMATE);
    assertThat(estimator.fallbacks()).isZero();
  }

  @Test
  void estimateNowCountsOnTheCallingThread() {
    ExactCounter counter = new ExactCounter();
    CostEstimate estimate = estimator(counter).estimateNow(request, null);
    assertThat(counter.ranOn).isSameAs(Thread.currentThread());
    assertThat(estimate.promptSource()).isEqualTo(PromptCount.HUGGINGFACE);
  }

  @Test
  void observationsReachTheOutputPredictor() {
    TokenEstimator estimator = estimator(new ApproximateCounter(576));
    for (int i = 0; i < 20; i++) {
      estimator.observe("t", 40, 1);
    }
    InferenceRequest unbounded = Requests.chat("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}");
    assertThat(estimator.estimateNow(unbounded, "t").outputTokens()).isEqualTo(40);
  }

  @Test
  void neverFitsComparesThePromptWithTheLargestBudget() {
    TokenEstimator estimator = estimator(new ExactCounter());
    CostEstimate estimate = estimator.estimateNow(request, null);
    assertThat(estimator.neverFits(estimate, 992)).isTrue();
    assertThat(estimator.neverFits(estimate, 1008)).isFalse();
  }

  private void awaitRelease() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

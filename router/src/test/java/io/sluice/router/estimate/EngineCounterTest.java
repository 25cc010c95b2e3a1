package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.api.InferenceRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineCounterTest {
  private final List<String> fallbacks = new ArrayList<>();
  private final InferenceRequest request = Requests.chat("""
      {"messages": [{"role": "user", "content": "abcdefgh"}]}""");

  @Test
  void asksTheEngineOnceAndCachesByPrompt() {
    AtomicInteger calls = new AtomicInteger();
    EngineCounter counter = new EngineCounter((model, body) -> {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(42);
    }, Duration.ofSeconds(1), 576, 100, fallbacks::add);
    assertThat(counter.countAsync(request, task -> { throw new AssertionError("engine counts use no worker"); })
        .join()).isEqualTo(new PromptCount(42, PromptCount.ENGINE));
    assertThat(counter.count(request)).isEqualTo(new PromptCount(42, PromptCount.CACHE));
    assertThat(calls).hasValue(1);
    counter.count(Requests.chat("""
        {"messages": [{"role": "user", "content": "another"}]}"""));
    assertThat(calls).hasValue(2);
    assertThat(fallbacks).isEmpty();
  }

  @Test
  void anEngineErrorFallsBackToTheApproximateCount() {
    EngineCounter counter = new EngineCounter((model, body) -> CompletableFuture.failedFuture(new IllegalStateException("503")),
        Duration.ofSeconds(1), 576, 100, fallbacks::add);
    PromptCount count = counter.count(request);
    assertThat(count).isEqualTo(new ApproximateCounter(576).asFallback().count(request));
    assertThat(fallbacks).containsExactly(EstimatorListener.ENGINE_ERROR);
  }

  @Test
  void aClientThatThrowsIsAnEngineError() {
    EngineCounter counter = new EngineCounter((model, body) -> { throw new IllegalStateException("closed"); },
        Duration.ofSeconds(1), 576, 100, fallbacks::add);
    assertThat(counter.count(request).source()).isEqualTo(PromptCount.FALLBACK);
    assertThat(fallbacks).containsExactly(EstimatorListener.ENGINE_ERROR);
  }

  @Test
  void aSilentEngineTimesOutAndIsNotCached() {
    AtomicInteger calls = new AtomicInteger();
    EngineCounter counter = new EngineCounter((model, body) -> {
      calls.incrementAndGet();
      return new CompletableFuture<>();
    }, Duration.ofMillis(1), 576, 100, fallbacks::add);
    assertThat(counter.count(request).source()).isEqualTo(PromptCount.FALLBACK);
    assertThat(counter.count(request).source()).isEqualTo(PromptCount.FALLBACK);
    assertThat(calls).hasValue(2);
    assertThat(fallbacks).containsExactly(EstimatorListener.ENGINE_TIMEOUT, EstimatorListener.ENGINE_TIMEOUT);
  }
}

package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.crd.TokenizerSpec;
import io.sluice.crd.TokenizerType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class TokenEstimatorsTest {
  private static final RemoteTokenizer REMOTE = (model, body) -> CompletableFuture.completedFuture(7);

  private static PromptCounter counter(TokenizerType type, String path, String encoding) {
    return TokenEstimators.counter(new TokenizerSpec(type, path, encoding, null, Duration.ofMillis(50), null), Path.of("."),
        REMOTE, EstimatorListener.NONE);
  }

  @Test
  void buildsTheCounterEachTypeAsksFor() {
    assertThat(counter(TokenizerType.APPROXIMATE, null, null)).isInstanceOf(ApproximateCounter.class);
    assertThat(counter(TokenizerType.TIKTOKEN, null, "o200k_base")).isInstanceOf(TiktokenCounter.class);
    assertThat(counter(TokenizerType.ENGINE, null, null).count(Requests.chat("{\"messages\": []}")))
        .isEqualTo(new PromptCount(7, PromptCount.ENGINE));
  }

  @Test
  void buildsAHuggingFaceCounterFromARelativePath() {
    Requests.requireQwen3("loading the real tokenizer by name");
    PromptCounter counter = TokenEstimators.counter(
        new TokenizerSpec(TokenizerType.HUGGINGFACE, "qwen3/tokenizer.json", null, null, null, null),
        Path.of("../../shared/tokenizers"), REMOTE, EstimatorListener.NONE);
    assertThat(counter).isInstanceOf(HuggingFaceCounter.class);
    assertThat(((HuggingFaceCounter) counter).template().name()).isEqualTo("jinja");
    ((HuggingFaceCounter) counter).close();
  }

  @Test
  void anHttpTokenizerPathIsRefusedWithAHint() {
    assertThatThrownBy(() -> counter(TokenizerType.HUGGINGFACE, "https://example.invalid/tokenizer.json", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("local files");
  }

  @Test
  void workerPoolRejectsWhenFull() {
    var pool = TokenEstimators.newWorkerPool(2, 8);
    assertThat(pool.getQueue().remainingCapacity()).isEqualTo(8);
    assertThat(pool.getRejectedExecutionHandler()).isInstanceOf(java.util.concurrent.ThreadPoolExecutor.AbortPolicy.class);
    pool.shutdown();
  }
}

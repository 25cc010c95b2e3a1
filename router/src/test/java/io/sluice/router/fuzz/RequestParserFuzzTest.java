package io.sluice.router.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.router.api.ApiException;
import io.sluice.router.api.ApiKind;
import io.sluice.router.api.MultipartFields;
import io.sluice.router.api.InferenceRequest;
import io.sluice.router.api.RequestParser;
import io.sluice.router.estimate.ApproximateCounter;
import io.sluice.router.estimate.CostEstimate;
import io.sluice.router.estimate.HuggingFaceCounter;
import io.sluice.router.estimate.OutputPredictor;
import io.sluice.router.estimate.ReservationPolicy;
import io.sluice.router.estimate.SegmentCache;
import io.sluice.router.estimate.TiktokenCounter;
import io.sluice.router.estimate.TokenEstimator;
import java.nio.file.Path;
import java.util.List;

/**
 * Any bytes, as the body of any API: the parser returns a request or refuses it with a 4xx
 * {@link ApiException}, nothing else; the estimators then give a cost for every accepted request
 * without throwing, or (a model's chat template refusing the chat) a 400 {@link ApiException}. Regression mode (every build) replays the inputs checked in under
 * {@code RequestParserFuzzTestInputs/parse}; {@code mvn -Pfuzz} fuzzes (docs/operations.md).
 */
class RequestParserFuzzTest {
  private static final Path TOKENIZER = Path.of("src/test/resources/estimate/qwen3-mini/tokenizer.json");
  private static final Path TEMPLATES = Path.of("src/test/resources/estimate/chat-templates");
  private static final List<TokenEstimator> ESTIMATORS = List.of(
      estimator(new ApproximateCounter(576)),
      estimator(TiktokenCounter.of("cl100k_base", new SegmentCache(10_000), 576)),
      // Models' own chat templates (issue 18): Qwen3's from its tokenizer_config.json, and three
      // that raise on some chats (Gemma 3, Llama 3.2, Mistral Nemo).
      estimator(HuggingFaceCounter.load(TOKENIZER, new SegmentCache(10_000), 576)),
      estimator(HuggingFaceCounter.load(TOKENIZER, TEMPLATES.resolve("gemma3.jinja"), new SegmentCache(10_000), 576)),
      estimator(HuggingFaceCounter.load(TOKENIZER, TEMPLATES.resolve("llama3_2.jinja"), new SegmentCache(10_000), 576)),
      estimator(HuggingFaceCounter.load(TOKENIZER, TEMPLATES.resolve("mistral_nemo.jinja"), new SegmentCache(10_000),
          576)));

  private static TokenEstimator estimator(io.sluice.router.estimate.PromptCounter counter) {
    return new TokenEstimator(counter, 576, new OutputPredictor(new OutputPredictor.Settings(0.9, 256, 100, 60, 20, 50, 100)),
        new ReservationPolicy(1.0, 64, 1 << 20, 16), Runnable::run, reason -> { });
  }

  @FuzzTest(maxDuration = "4m")
  void parse(byte[] body) {
    for (ApiKind kind : ApiKind.values()) {
      if (kind.multipart()) {
        form(body);
        continue;
      }
      InferenceRequest request;
      try {
        request = RequestParser.parse(kind, body);
      } catch (ApiException refused) {
        assertThat(refused.error().status()).isBetween(400, 499);
        assertThat(refused.error().toJson()).contains("\"error\"");
        continue;
      }
      assertThat(request.model()).isNotBlank();
      for (TokenEstimator estimator : ESTIMATORS) {
        CostEstimate cost;
        try {
          cost = estimator.estimateNow(request, "fuzz");
        } catch (ApiException refused) { // the chat template refused the chat, as the engine would
          assertThat(refused.error().status()).isEqualTo(400);
          assertThat(refused.error().toJson()).contains("\"error\"");
          continue;
        }
        assertThat(cost.promptTokens()).isNotNegative();
        assertThat(cost.reservationTokens()).isNotNegative();
      }
    }
  }

  /** The multipart reader on the same bytes, as a form with a short boundary: fields, or a 400. */
  private static void form(byte[] body) {
    try {
      java.util.Map<String, String> fields = MultipartFields.read(body, "B", java.util.Set.of("model", "stream"));
      assertThat(fields.keySet()).isSubsetOf("model", "stream");
    } catch (ApiException refused) {
      assertThat(refused.error().status()).isEqualTo(400);
    }
  }
}

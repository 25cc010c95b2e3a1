package io.sluice.router.estimate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.router.api.ApiKind;
import io.sluice.router.api.InferenceRequest;
import io.sluice.router.estimate.ApproximateCounter;
import io.sluice.router.estimate.HuggingFaceCounter;
import io.sluice.router.estimate.PromptCounter;
import io.sluice.router.estimate.SegmentCache;
import io.sluice.router.estimate.TiktokenCounter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Prompt counting cost per mode on a 10-message chat of 1,000 Qwen3 tokens (so µs/op is µs per
 * 1K tokens): {@code cold} with a cache that keeps nothing, {@code warm} with every message cached
 * (a multi-turn chat resending its history). Not a test: run it with the command in
 * docs/estimation.md. The Qwen3 files are read from {@code -Dsluice.qwen3} (default
 * ../../shared/tokenizers/qwen3/tokenizer.json, relative to the router module).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EstimatorBenchmark {
  private static final String PARAGRAPH = "Routers admit requests by token cost: each request's prompt is counted, "
      + "its output predicted, and the sum reserved against the pod's KV cache (naïve café, 東京, 🚀). ";

  @Param({"approximate", "huggingface", "tiktoken"})
  public String mode;

  @Param({"cold", "warm"})
  public String cache;

  private PromptCounter counter;
  private InferenceRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    SegmentCache segments = cache.equals("warm") ? SegmentCache.defaults() : new SegmentCache(0);
    Path qwen3 = Path.of(System.getProperty("sluice.qwen3", "../../shared/tokenizers/qwen3/tokenizer.json"));
    counter = switch (mode) {
      case "approximate" -> new ApproximateCounter(576);
      case "huggingface" -> HuggingFaceCounter.load(qwen3, segments, 576);
      case "tiktoken" -> TiktokenCounter.of("o200k_base", segments, 576);
      default -> throw new IllegalArgumentException(mode);
    };
    request = chatOfAbout1000Tokens(qwen3);
    counter.count(request);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (counter instanceof HuggingFaceCounter hf) {
      hf.close();
    }
  }

  @Benchmark
  public long count() {
    return counter.count(request).tokens();
  }

  /** Ten messages, trimmed so that Qwen3 counts exactly 1,000 prompt tokens. */
  static InferenceRequest chatOfAbout1000Tokens(Path qwen3) {
    try (HuggingFaceCounter reference = HuggingFaceCounter.load(qwen3, new SegmentCache(0), 576)) {
      String text = PARAGRAPH.repeat(12);
      int length = text.length();
      InferenceRequest request = chat(text, length);
      while (reference.count(request).tokens() > 1000 && length > 0) {
        length--;
        request = chat(text, length);
      }
      return request;
    }
  }

  private static InferenceRequest chat(String text, int lastLength) {
    ObjectNode body = new ObjectMapper().createObjectNode().put("model", "m");
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", "You are a careful assistant.");
    for (int i = 0; i < 9; i++) {
      String role = i % 2 == 0 ? "user" : "assistant";
      String content = i == 8 ? text.substring(0, Math.min(lastLength, text.length())) : i + ": " + PARAGRAPH;
      messages.addObject().put("role", role).put("content", content);
    }
    return new InferenceRequest(ApiKind.CHAT, "m", false, body);
  }
}

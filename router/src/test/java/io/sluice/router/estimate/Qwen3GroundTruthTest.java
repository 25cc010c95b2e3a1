package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Qwen3 prompt counts against an independent implementation: the expected values were produced by
 * a JavaScript Jinja engine and a JavaScript port of Hugging Face tokenizers
 * (src/test/resources/estimate/make-expected.mjs). Exact equality, chat template included.
 */
class Qwen3GroundTruthTest {
  private static final Path EXPECTED = Path.of("src/test/resources/estimate/qwen3-chat-expected.json");
  private static HuggingFaceCounter counter;
  private static JsonNode cases;

  @BeforeAll
  static void load() throws Exception {
    Requests.requireQwen3("the ground-truth comparison");
    counter = HuggingFaceCounter.load(Requests.QWEN3, SegmentCache.defaults(), 576);
    cases = Requests.JSON.readTree(EXPECTED.toFile());
  }

  @AfterAll
  static void close() {
    if (counter != null) {
      counter.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> chatPromptsCountAsTheReferenceTemplateAndTokenizer() {
    assertThat(counter.template().name()).isEqualTo("jinja");
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases.get("chat")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
        ObjectNode body = (ObjectNode) c.get("body");
        String rendered = ((JinjaChatTemplate) counter.template()).renderText(body);
        assertThat(rendered).isEqualTo(c.get("rendered").asText());
        counter.cache().clear();
        PromptCount cold = counter.count(Requests.chat(body));
        assertThat(cold.tokens()).isEqualTo(c.get("expected").asLong());
        assertThat(cold.source()).isEqualTo(PromptCount.HUGGINGFACE);
        PromptCount warm = counter.count(Requests.chat(body));
        assertThat(warm).isEqualTo(new PromptCount(cold.tokens(), PromptCount.CACHE));
      }));
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(10);
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> plainTextCountsAsTheReferenceTokenizer() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases.get("text")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () ->
          assertThat(counter.countText(c.get("text").asText())).isEqualTo(c.get("expected").asLong())));
    }
    assertThat(tests).isNotEmpty();
    return tests.stream();
  }
}

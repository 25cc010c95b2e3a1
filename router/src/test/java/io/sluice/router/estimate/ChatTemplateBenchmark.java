package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.router.estimate.jinja.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
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

/**
 * What running a model's own chat template costs, without the tokenizer: each family's template
 * (src/test/resources/estimate/chat-templates) rendering the 10-message chat of
 * {@code EstimatorBenchmark} (about 1,000 tokens, so µs/op is about µs per 1K tokens), plus the
 * same chat with two tools and a tool-call round trip. Not a test: run it with the command in
 * docs/estimation.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChatTemplateBenchmark {
  private static final Path DIR = Path.of("src/test/resources/estimate/chat-templates");
  private static final String PARAGRAPH = "Routers admit requests by token cost: each request's prompt is counted, "
      + "its output predicted, and the sum reserved against the pod's KV cache (naïve café, 東京, 🚀). ";

  @Param({"llama3_1", "llama3_2", "gemma3", "deepseek_v3", "mistral_nemo", "qwen2_5", "qwen3"})
  public String family;

  @Param({"chat", "tools"})
  public String shape;

  private JinjaChatTemplate template;
  private ObjectNode body;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode fixture = json.readTree(DIR.resolve(family + ".json").toFile());
    Map<String, String> special = new LinkedHashMap<>();
    fixture.get("special_tokens").fields().forEachRemaining(e -> special.put(e.getKey(), e.getValue().asText()));
    template = new JinjaChatTemplate(family, Template.parse(Files.readString(DIR.resolve(family + ".jinja"))), special,
        JinjaChatTemplate.LIMITS, Clock.systemUTC());
    body = json.createObjectNode().put("model", "m");
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", "You are a careful assistant.");
    for (int i = 0; i < 9; i++) {
      messages.addObject().put("role", i % 2 == 0 ? "user" : "assistant")
          .put("content", i == 8 ? PARAGRAPH.repeat(12).substring(0, 900) : i + ": " + PARAGRAPH);
    }
    if (shape.equals("tools")) {
      // Gemma 3 and Mistral refuse some tool shapes; this one (tools, no tool messages) all render.
      ArrayNode tools = body.putArray("tools");
      for (String name : new String[] {"get_weather", "search"}) {
        ObjectNode function = tools.addObject().put("type", "function").putObject("function")
            .put("name", name).put("description", "Look something up: " + name);
        function.putObject("parameters").put("type", "object").putObject("properties")
            .putObject("q").put("type", "string").put("description", "what to look up");
      }
    }
    template.renderText(body);
  }

  @Benchmark
  public int render() {
    return template.renderText(body).length();
  }
}

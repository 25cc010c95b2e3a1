package io.sluice.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.crd.Durations;
import io.sluice.crd.TokenizerSpec;
import io.sluice.router.config.RouterSettings;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.lang.reflect.RecordComponent;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: the chart's values schema says what the router and the CRDs say. Its resource specs
 * are the generated CRDs' spec schemas with unknown fields refused; its durations are the router's.
 */
class ChartSchemaRulesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Path SCHEMA = Chart.DIR.resolve("values.schema.json");
  /** Each CEL rule of the CRDs, as JSON Schema (Helm has no CEL). */
  private static final Map<String, String> CEL_AS_JSON_SCHEMA = Map.of(
      Durations.SCHEMA_RULE, "{\"pattern\": " + quote(Durations.PATTERN) + "}",
      TokenizerSpec.LOCAL_PATH_RULE, "{\"not\": {\"allOf\": [{\"pattern\": " + quote(TokenizerSpec.URL_PATTERN)
          + "}, {\"not\": {\"pattern\": " + quote("^" + TokenizerSpec.FILE_PREFIX) + "}}]}}");

  @Test
  void resourceSpecsAreTheCrdSchemasWithUnknownFieldsRefused() throws Exception {
    JsonNode schema = JSON.readTree(SCHEMA.toFile());
    ObjectNode expected = JSON.createObjectNode();
    expected.set("modelPoolSpec", derive(crdSpec("modelpools.sluice.io-v1.yml")));
    expected.set("trafficClassSpec", derive(crdSpec("trafficclasses.sluice.io-v1.yml")));
    ObjectNode actual = JSON.createObjectNode();
    for (String definition : List.of("modelPoolSpec", "trafficClassSpec")) {
      ObjectNode checkedIn = schema.at("/definitions/" + definition).deepCopy();
      checkedIn.remove("$comment");
      actual.set(definition, checkedIn);
    }
    if (!actual.equals(expected)) {
      Path written = Path.of("target/derived-resource-schemas.json").toAbsolutePath();
      Files.writeString(written, JSON.writeValueAsString(expected));
      throw new AssertionError("values.schema.json definitions modelPoolSpec and trafficClassSpec differ from the "
          + "generated CRDs' spec schemas; replace them with the two in " + written);
    }
  }

  /** The chart's {@code settings} bounds are RouterSettings' own annotations, no more and no less. */
  @Test
  void settingsBoundsAreTheRouterSettingsAnnotations() throws Exception {
    JsonNode settings = JSON.readTree(SCHEMA.toFile()).at("/properties/settings/properties");
    List<String> differences = new ArrayList<>();
    for (RecordComponent component : RouterSettings.class.getRecordComponents()) {
      JsonNode field = settings.path(component.getName());
      if (field.isMissingNode() || field.has("$ref")) {
        continue; // redis comes from coordination.redis; durations are checked above
      }
      Min min = component.getAccessor().getAnnotation(Min.class);
      Max max = component.getAccessor().getAnnotation(Max.class);
      Map<String, Double> expected = new java.util.TreeMap<>();
      if (min != null) {
        expected.put(min.inclusive() ? "minimum" : "exclusiveMinimum", min.value());
      }
      if (max != null) {
        expected.put(max.inclusive() ? "maximum" : "exclusiveMaximum", max.value());
      }
      Map<String, Double> actual = new java.util.TreeMap<>();
      for (String bound : List.of("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")) {
        if (field.has(bound)) {
          actual.put(bound, field.get(bound).asDouble());
        }
      }
      if (!actual.equals(expected)) {
        differences.add(component.getName() + ": chart " + actual + ", RouterSettings " + expected);
      }
    }
    assertThat(differences).isEmpty();
  }

  /** Plugin arguments are free by design; nothing else in a spec may keep a field its schema lacks. */
  @Test
  void onlyPluginArgumentsPreserveUnknownFields() throws Exception {
    List<String> preserved = new ArrayList<>();
    preserving(crdSpec("modelpools.sluice.io-v1.yml"), "spec", preserved);
    preserving(crdSpec("trafficclasses.sluice.io-v1.yml"), "spec", preserved);
    assertThat(preserved).containsExactlyInAnyOrder(
        "spec.scoring.filters[].args", "spec.scoring.picker.args", "spec.scoring.scorers[].args");
  }

  /** Issue 16: the chart took 1.5s and 250us, the router refused them and never started. */
  @Test
  void issue16DurationsTheChartTakesAreTheOnesTheRouterReads(@TempDir Path dir) throws Exception {
    List<String> durations = List.of("500ms", "30s", "5m", "1h", "1h30m", "2h0m5s", "0s", "10s500ms", "007s",
        "1.5s", "250us", "250µs", "100ns", "1d", "10", "s", "", " 5s", "5s ", "5 s", "-1s", "+1s", "1S", "5sec",
        "1h-5m", "1e3ms", "ms5");
    Pattern pattern = Pattern.compile(JSON.readTree(SCHEMA.toFile()).at("/definitions/duration/pattern").asText());
    assertThat(pattern.pattern()).isEqualTo(Durations.PATTERN);
    List<String> disagreements = new ArrayList<>();
    int i = 0;
    for (String duration : durations) {
      boolean router = parses(duration);
      boolean regex = pattern.matcher(duration).matches();
      Path values = dir.resolve("values-" + i++ + ".yaml");
      Files.writeString(values, "settings:\n  drainTimeout: " + JSON.writeValueAsString(duration) + "\n");
      boolean chart = renders(values);
      if (router != regex || router != chart) {
        disagreements.add("'" + duration + "': router " + router + ", schema pattern " + regex + ", helm " + chart);
      }
    }
    assertThat(disagreements).isEmpty();
    assertThat(parses("1.5s")).isFalse(); // the table is not vacuous
    assertThat(parses("1h30m")).isTrue();
  }

  /** Issue 16: a misspelt field, and the rules the CRD states, refused before anything renders. */
  @Test
  void issue16ResourceSpecMistakesAreRefused(@TempDir Path dir) throws Exception {
    String pool = """
        modelPools:
        - name: qwen
          spec:
            models: [qwen3-8b]
            selector: {app: vllm}
            targetPort: 8000
        %s
        """;
    String trafficClass = """
        trafficClasses:
        - name: gold
          spec:
            priority: 10
        %s
        """;
    assertThat(renders(write(dir, "ok-pool", pool.formatted("")))).isTrue();
    assertThat(renders(write(dir, "ok-class", trafficClass.formatted("")))).isTrue();
    List<String> bad = List.of(
        pool.formatted("    budgett: {tokensPerPod: 1000}"),
        pool.formatted("    budget: {tokensPerPod: 1000, utilisation: 0.5}"),
        pool.formatted("    tokenizer: {type: huggingface, path: https://huggingface.co/x/resolve/main/tokenizer.json}"),
        pool.formatted("    queue: {maxWait: 1.5s}"),
        pool.formatted("    budget: {utilization: 0}"),
        pool.formatted("    health: {maxAttempts: 11}"),
        pool.formatted("    scoring: {scorers: [{name: token-budget, wieght: 2}]}"),
        pool.formatted("    targetPort: 70000"),
        trafficClass.formatted("    priorityHeaderMax: 2000000000"),
        trafficClass.formatted("    priorityHeaderMin: -2000000000"),
        trafficClass.formatted("    match: {header: {x-class: gold}}"),
        trafficClass.formatted("    objective: {ttft: 250us}"));
    int i = 0;
    for (String values : bad) {
      Path file = write(dir, "bad-" + i++, values);
      assertThatThrownBy(() -> Chart.template(file, Map.of())).as(values)
          .hasMessageContaining("values don't meet the specifications of the schema");
    }
  }

  private static Path write(Path dir, String name, String values) throws Exception {
    return Files.writeString(dir.resolve(name + ".yaml"), values);
  }

  private static boolean renders(Path values) {
    try {
      Chart.template(values, Map.of());
      return true;
    } catch (RuntimeException e) {
      assertThat(e).hasMessageContaining("values don't meet the specifications of the schema");
      return false;
    }
  }

  private static boolean parses(String duration) {
    try {
      Durations.parse(duration);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The chart's schema for a spec: the CRD's, with {@code additionalProperties: false} on every
   * object with fixed fields, CEL rules turned into patterns, the OpenAPI 3.0 boolean exclusive
   * bounds into JSON Schema draft 7's numbers, and the Kubernetes extensions dropped.
   */
  static JsonNode derive(JsonNode node) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode value = field.getValue();
      switch (field.getKey()) {
        case "properties" -> {
          ObjectNode properties = out.putObject("properties");
          value.fields().forEachRemaining(p -> properties.set(p.getKey(), derive(p.getValue())));
        }
        case "items" -> out.set("items", derive(value));
        case "additionalProperties" -> out.set("additionalProperties", value.isObject() ? derive(value) : value);
        case "anyOf", "allOf", "oneOf" -> {
          ArrayNode options = out.putArray(field.getKey());
          value.forEach(option -> options.add(derive(option)));
        }
        case "x-kubernetes-validations" -> {
          Set<String> rules = new LinkedHashSet<>();
          value.forEach(rule -> rules.add(rule.get("rule").asText()));
          for (String rule : rules) {
            String translated = CEL_AS_JSON_SCHEMA.get(rule);
            assertThat(translated).as("JSON Schema for the CEL rule " + rule).isNotNull();
            out.setAll((ObjectNode) readJson(translated));
          }
        }
        case "exclusiveMinimum", "exclusiveMaximum" -> { } // below, with the bound they qualify
        case "minimum" -> out.set(node.path("exclusiveMinimum").asBoolean() ? "exclusiveMinimum" : "minimum", value);
        case "maximum" -> out.set(node.path("exclusiveMaximum").asBoolean() ? "exclusiveMaximum" : "maximum", value);
        default -> {
          if (!field.getKey().startsWith("x-kubernetes-")) {
            out.set(field.getKey(), value);
          }
        }
      }
    }
    if (node.has("properties")) {
      out.put("additionalProperties", false);
    }
    return out;
  }

  private static void preserving(JsonNode node, String path, List<String> found) {
    if (node.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
      found.add(path);
    }
    node.path("properties").fields().forEachRemaining(p -> preserving(p.getValue(), path + "." + p.getKey(), found));
    if (node.has("items")) {
      preserving(node.get("items"), path + "[]", found);
    }
    if (node.path("additionalProperties").isObject()) {
      preserving(node.get("additionalProperties"), path + "{}", found);
    }
  }

  /** The spec schema of a CRD the crd module generated (on the test classpath). */
  private static JsonNode crdSpec(String file) throws Exception {
    try (InputStream in = ChartSchemaRulesTest.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
      assertThat(in).as("generated " + file).isNotNull();
      return YAML.readTree(in).at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    }
  }

  private static JsonNode readJson(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}

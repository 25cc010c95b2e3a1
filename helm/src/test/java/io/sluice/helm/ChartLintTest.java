package io.sluice.helm;

import static io.sluice.helm.Chart.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.LintResult;
import io.sluice.router.config.RouterSettings;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** helm lint --strict, and values.schema.json refusing bad values. */
class ChartLintTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void lintStrictPasses() {
    LintResult result = Chart.helm().lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @Test
  void lintStrictFailsOnABadDefault(@TempDir Path copy) throws Exception {
    Chart.copyTo(copy);
    Path values = copy.resolve("values.yaml");
    Files.writeString(values, Files.readString(values).replace("replicaCount: 2", "replicaCount: two"));
    LintResult result = new com.marcnuri.helm.Helm(copy).lint().strict().call();
    assertThat(result.isFailed()).isTrue();
    assertThat(String.join("\n", result.getMessages())).contains("replicaCount");
  }

  @Test
  void badValuesAreRefusedBeforeAnythingRenders() {
    List<Map<String, Object>> bad = List.of(
        map("replicaCount", "two"),
        map("replicaCount", 0),
        map("unknownTopLevel", true),
        map("coordination.mode", "shared"),
        map("coordination.redis.address", "redis-master:6379"),
        map("settings.drainTimeout", "30 seconds"),
        map("settings.maxBodyBytes", 10),
        map("settings.notASetting", 1),
        map("settings.tokenizerQueue", -1),
        map("settings.tokenizerThreads", 257),
        map("settings.maxHeaderBytes", 512),
        map("settings.maxHeaderBytes", 2 * 1024 * 1024),
        map("settings.maxConnections", 0),
        map("settings.requestTimeout", "0s"),
        map("settings.clientIdleTimeout", "soon"),
        map("settings.authentication.mode", "mandatory"),
        map("settings.tls.certFile", "/only/the/cert.pem"),
        map("tls.existingSecret", "Not_A_Secret"),
        map("tls.enabled", "yes"),
        map("coordination.redis.leaseTtl", "10"),
        map("router.logLevel", "verbose"),
        map("router.adminPort", 70000),
        map("image.pullPolicy", "Sometimes"),
        map("service.type", "ExternalName"),
        map("watchNamespaces[0]", "Not_A_Namespace"),
        map("modelPools[0].name", "no-spec"),
        map("podDisruptionBudget.maxUnavailable", "half"),
        map("autoscaling.targetCPUUtilizationPercentage", 150),
        map("resources.requests.memory", "lots"),
        map("probes.liveness.periodSeconds", 0),
        map("probes.liveness.command", "true"));
    for (Map<String, Object> values : bad) {
      assertThatThrownBy(() -> Chart.render(values)).as(values.toString())
          .hasMessageContaining("values don't meet the specifications of the schema");
    }
  }

  /** Every key of values.yaml is declared in values.schema.json (not merely let through). */
  @Test
  void schemaDeclaresEveryDefaultValue() throws Exception {
    JsonNode values = YAML.readTree(Chart.DIR.resolve("values.yaml").toFile());
    JsonNode schema = JSON.readTree(Chart.DIR.resolve("values.schema.json").toFile());
    List<String> undeclared = new ArrayList<>();
    declared(values, schema, schema, "", undeclared);
    assertThat(undeclared).isEmpty();
    assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
  }

  /**
   * {@code settings} offers every RouterSettings field the router knows, so none needs a schema
   * change to be set; {@code redis} is left out on purpose: the chart fills it from
   * {@code coordination.redis}.
   */
  @Test
  void settingsSchemaHasEveryRouterSetting() throws Exception {
    JsonNode schema = JSON.readTree(Chart.DIR.resolve("values.schema.json").toFile());
    List<String> offered = new ArrayList<>();
    schema.at("/properties/settings/properties").fieldNames().forEachRemaining(offered::add);
    List<String> known = Stream.of(RouterSettings.class.getRecordComponents()).map(RecordComponent::getName)
        .filter(name -> !name.equals("redis")).toList();
    assertThat(offered).containsExactlyInAnyOrderElementsOf(known);
  }

  /** values.yaml explains each setting: every key line has a comment right above it or is a group. */
  @Test
  void everyValueIsDocumented() throws Exception {
    List<String> lines = Files.readAllLines(Chart.DIR.resolve("values.yaml"));
    List<String> bare = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.stripLeading().startsWith("#") || !line.matches("^\\s*[A-Za-z][\\w.-]*:.*")) {
        continue;
      }
      boolean group = line.trim().endsWith(":");
      boolean commented = i > 0 && lines.get(i - 1).stripLeading().startsWith("#");
      boolean underDocumentedParent = parentCommented(lines, i);
      if (!group && !commented && !underDocumentedParent) {
        bare.add((i + 1) + ": " + line.trim());
      }
    }
    assertThat(bare).isEmpty();
  }

  /** A leaf of a documented map such as resources.requests.cpu counts as documented. */
  private static boolean parentCommented(List<String> lines, int index) {
    int indent = lines.get(index).length() - lines.get(index).stripLeading().length();
    for (int i = index - 1; i >= 0 && indent > 0; i--) {
      String line = lines.get(i);
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      int parentIndent = line.length() - line.stripLeading().length();
      if (parentIndent < indent) {
        if (i > 0 && lines.get(i - 1).stripLeading().startsWith("#")) {
          return true;
        }
        indent = parentIndent;
      }
    }
    return false;
  }

  private static void declared(JsonNode value, JsonNode schema, JsonNode root, String path, List<String> undeclared) {
    JsonNode node = resolve(schema, root);
    if (!value.isObject() || node.has("additionalProperties") && !node.get("additionalProperties").isBoolean()) {
      return; // a scalar, a list, or a free map of typed entries
    }
    JsonNode properties = node.get("properties");
    if (properties == null) {
      if (!node.path("type").asText().equals("object")) {
        undeclared.add(path + " (no schema)");
      }
      return; // a free object such as affinity
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode child = properties.get(field.getKey());
      if (child == null) {
        undeclared.add(path + "." + field.getKey());
      } else {
        declared(field.getValue(), child, root, path + "." + field.getKey(), undeclared);
      }
    }
  }

  private static JsonNode resolve(JsonNode schema, JsonNode root) {
    JsonNode ref = schema.get("$ref");
    return ref == null ? schema : root.at(ref.asText().substring(1));
  }

}

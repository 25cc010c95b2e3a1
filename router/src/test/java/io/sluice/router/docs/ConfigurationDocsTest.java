package io.sluice.router.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.sluice.crd.Durations;
import io.sluice.crd.ModelPoolSpec;
import io.sluice.crd.TrafficClassSpec;
import io.sluice.router.cli.Main;
import io.sluice.router.config.RouterSettings;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/configuration.md cannot drift from the code: every field of the CRD schemas (as generated
 * and checked in under deploy/crds), every RouterSettings field and every CLI option is documented
 * in a marked table with its default, and every documented entry exists.
 */
class ConfigurationDocsTest {
  private static final String DOC = "configuration.md";
  /** Standard Kubernetes Condition fields: documented once as {@code status.conditions}, not field by field. */
  private static final Set<String> OPAQUE = Set.of("status.conditions");

  private final Map<String, List<DocTables.Entry>> tables = DocTables.tables(DocTables.read(DOC));

  @Test
  void everyModelPoolFieldIsDocumentedAndNothingElse() throws Exception {
    Schema schema = crdSchema("modelpools.sluice.io-v1.yml");
    ModelPoolSpec defaults = ModelPoolSpec.of(List.of("m"), List.of("http://127.0.0.1:1"), null);
    checkKind("ModelPool", schema, flatten("spec", new ObjectMapper().valueToTree(defaults)));
  }

  @Test
  void everyTrafficClassFieldIsDocumentedAndNothingElse() throws Exception {
    Schema schema = crdSchema("trafficclasses.sluice.io-v1.yml");
    TrafficClassSpec defaults = new TrafficClassSpec(null, null, null, null, null, null, null, null, null);
    checkKind("TrafficClass", schema, flatten("spec", new ObjectMapper().valueToTree(defaults)));
  }

  @Test
  void everyRouterSettingsFieldIsDocumentedWithItsDefault() throws Exception {
    Set<String> leaves = new TreeSet<>();
    Map<String, String> defaults = new LinkedHashMap<>();
    walkRecord("spec", RouterSettings.class, RouterSettings.defaults(), leaves, defaults);
    defaults.remove("spec.tokenizerThreads"); // the number of CPUs of the machine running the test
    Schema schema = new Schema(leaves, leaves);
    checkKind("RouterSettings", schema, defaults);
  }

  @Test
  void everyCommandLineOptionIsDocumentedWithItsDefault() {
    CommandLine root = new CommandLine(new Main());
    List<CommandSpec> commands = new ArrayList<>();
    commands.add(root.getCommandSpec());
    root.getSubcommands().forEach((name, sub) -> {
      if (!name.equals("help")) { // picocli's built-in help command
        commands.add(sub.getCommandSpec());
      }
    });
    assertThat(commands).extracting(CommandSpec::qualifiedName).contains("sluice serve", "sluice validate");
    for (CommandSpec command : commands) {
      String marker = command.qualifiedName();
      List<DocTables.Entry> documented = entries(marker);
      Set<String> names = new TreeSet<>();
      for (OptionSpec option : command.options()) {
        names.addAll(List.of(option.names()));
        for (String name : option.names()) {
          DocTables.Entry entry = documented.stream().filter(e -> e.name().equals(name)).findFirst().orElse(null);
          assertThat(entry).as("%s: option %s of '%s' is not documented", DOC, name, marker).isNotNull();
          if (option.defaultValue() != null) {
            assertThat(DocTables.codes(entry.cells().get("default")))
                .as("%s line %d: default of %s %s", DOC, entry.line(), marker, name)
                .contains(option.defaultValue());
          }
        }
      }
      assertThat(documented).as("%s: '%s' documents options that do not exist", DOC, marker)
          .extracting(DocTables.Entry::name).allMatch(names::contains, "an option of " + marker);
    }
  }

  @Test
  void theMarkedTablesAreTheOnesTheTestsRead() {
    assertThat(tables.keySet()).containsExactlyInAnyOrder(
        "ModelPool", "TrafficClass", "RouterSettings", "sluice", "sluice serve", "sluice validate");
  }

  private void checkKind(String marker, Schema schema, Map<String, String> defaults) {
    List<DocTables.Entry> documented = entries(marker);
    Set<String> names = new LinkedHashSet<>();
    documented.forEach(e -> names.add(e.name()));
    Set<String> missing = new TreeSet<>(schema.leaves());
    missing.removeAll(names);
    assertThat(missing).as("%s: %s fields missing from the tables marked 'fields: %s'", DOC, marker, marker).isEmpty();
    Set<String> stale = new TreeSet<>(names);
    stale.removeAll(schema.all());
    assertThat(stale).as("%s: documented %s fields that do not exist", DOC, marker).isEmpty();
    for (DocTables.Entry entry : documented) {
      String expected = defaults.get(entry.name());
      if (expected != null) {
        assertThat(DocTables.codes(entry.cells().get("default")))
            .as("%s line %d: the default of %s %s is `%s`", DOC, entry.line(), marker, entry.name(), expected)
            .contains(expected);
      }
    }
  }

  private List<DocTables.Entry> entries(String marker) {
    List<DocTables.Entry> entries = tables.get(marker);
    assertThat(entries).as("%s has no table marked <!-- fields: %s -->", DOC, marker).isNotNull();
    return entries;
  }

  /** Every property path of a CRD's schema, and the leaves among them (what must be documented). */
  record Schema(Set<String> leaves, Set<String> all) {}

  private static Schema crdSchema(String file) throws Exception {
    Path crds = Stream.of(Path.of("../deploy/crds"), Path.of("deploy/crds")).filter(Files::isDirectory).findFirst()
        .orElseThrow();
    JsonNode crd = new YAMLMapper().readTree(crds.resolve(file).toFile());
    JsonNode versions = crd.path("spec").path("versions");
    assertThat(versions.size()).as("one served version").isEqualTo(1);
    Schema schema = new Schema(new TreeSet<>(), new TreeSet<>());
    walkSchema("", versions.get(0).path("schema").path("openAPIV3Schema"), schema);
    assertThat(schema.leaves()).as("schema of %s read", file).isNotEmpty();
    return schema;
  }

  private static void walkSchema(String path, JsonNode node, Schema schema) {
    JsonNode properties = node.path("properties");
    JsonNode items = node.path("items").path("properties");
    if (!path.isEmpty()) {
      schema.all().add(path);
      if ((properties.isMissingNode() && items.isMissingNode()) || OPAQUE.contains(path)) {
        schema.leaves().add(path);
        return;
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      walkSchema(path.isEmpty() ? field.getKey() : path + '.' + field.getKey(), field.getValue(), schema);
    }
    if (!items.isMissingNode()) {
      walkSchema(path + "[]", node.path("items"), schema);
      schema.all().remove(path + "[]");
    }
  }

  /** Scalar defaults by path; arrays, objects and nulls have none worth checking. */
  private static Map<String, String> flatten(String path, JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node.isObject()) {
      node.fields().forEachRemaining(f -> out.putAll(flatten(path + '.' + f.getKey(), f.getValue())));
    } else if (node.isValueNode() && !node.isNull()) {
      out.put(path, node.asText());
    }
    return out;
  }

  /** RouterSettings' fields by their YAML names, nested records included, and their defaults. */
  private static void walkRecord(String path, Class<?> type, Object value, Set<String> leaves,
      Map<String, String> defaults) throws Exception {
    for (RecordComponent component : type.getRecordComponents()) {
      JsonProperty renamed = component.getAnnotation(JsonProperty.class);
      String name = path + '.' + (renamed != null && !renamed.value().isEmpty() ? renamed.value() : component.getName());
      Object fieldValue = value == null ? null : component.getAccessor().invoke(value);
      Class<?> nested = nestedRecord(component.getGenericType());
      if (nested != null) {
        walkRecord(component.getType().isRecord() ? name : name + "[]", nested,
            component.getType().isRecord() ? fieldValue : null, leaves, defaults);
        continue;
      }
      leaves.add(name);
      if (fieldValue instanceof Duration duration) {
        defaults.put(name, Durations.format(duration));
      } else if (fieldValue instanceof Enum<?> constant) { // written as its JSON name, e.g. none
        defaults.put(name, new ObjectMapper().valueToTree(constant).asText());
      } else if (fieldValue != null && !(fieldValue instanceof Collection<?>) && !(fieldValue instanceof Map<?, ?>)) {
        defaults.put(name, String.valueOf(fieldValue));
      }
    }
  }

  /** The record type of a record field or of a list of records; null for anything else. */
  private static Class<?> nestedRecord(Type type) {
    if (type instanceof Class<?> c && c.isRecord()) {
      return c;
    }
    if (type instanceof ParameterizedType p && Collection.class.isAssignableFrom((Class<?>) p.getRawType())
        && p.getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord()) {
      return element;
    }
    return null;
  }
}

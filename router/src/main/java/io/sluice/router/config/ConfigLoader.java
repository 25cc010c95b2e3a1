package io.sluice.router.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.crd.DurationDeserializer;
import io.sluice.crd.ModelPoolSpec;
import io.sluice.crd.TrafficClassSpec;
import java.io.IOException;
import io.sluice.router.files.BoundedFiles;
import io.sluice.scoring.PluginRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads the static configuration: a multi-document YAML file of Kubernetes-style resources
 * ({@code apiVersion: sluice.io/v1alpha1}). Collects every problem it finds, each with its line.
 */
public final class ConfigLoader {
  public static final String API_VERSION = "sluice.io/v1alpha1";
  private static final Map<String, Class<?>> KINDS =
      Map.of("ModelPool", ModelPoolSpec.class, "TrafficClass", TrafficClassSpec.class,
          "RouterSettings", RouterSettings.class);
  private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> METADATA = Set.of("name", "namespace", "labels", "annotations");

  /** Duplicate keys are errors: YAML says a mapping's keys are unique, and "the last one wins" hides typos. */
  private static final YAMLFactory YAML = yaml();

  private static YAMLFactory yaml() {
    YAMLFactory factory = new YAMLFactory();
    factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return factory;
  }
  private static final ObjectMapper MAPPER = JsonMapper.builder(YAML)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .addModule(new SimpleModule().addDeserializer(Duration.class, new DurationDeserializer()))
      .build();

  /**
   * The plugins found on the router's class path, loaded once on first use. Profiles are checked
   * against it here and built from it by {@code PoolReconciler}, so a pool that validates is a pool that
   * builds. It stays a static of this static facade (fifty call sites in main and tests) rather
   * than a parameter of every entry point; a failed load (two jars claiming one type) is retried
   * on the next call and reported as the pool's problem, as before.
   */
  private static volatile PluginRegistry plugins;

  private ConfigLoader() {}

  /** The router's plugin registry: the one every profile is validated against and built from. */
  public static PluginRegistry plugins() {
    PluginRegistry loaded = plugins;
    if (loaded == null) {
      loaded = PluginRegistry.load(ConfigLoader.class.getClassLoader());
      plugins = loaded;
    }
    return loaded;
  }

  /** The outcome of loading: a config when there are no problems, else the problems. */
  public record Result(SluiceConfig config, List<ConfigProblem> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  public static Result load(Path file) throws IOException {
    return parse(read(file), file.toString());
  }

  /** The config file's text: a regular file of at most {@link BoundedFiles#CONFIG} bytes. */
  public static String read(Path file) throws IOException {
    return BoundedFiles.readString(file, BoundedFiles.CONFIG, "config file");
  }

  public static Result parse(String yaml, String source) {
    return parse(yaml, source, false, validator -> { });
  }

  /**
   * Reads the {@code --config} file of a router whose pools and classes come from the cluster: it
   * may hold RouterSettings only.
   */
  public static Result parseSettings(String yaml, String source) {
    Result result = parse(yaml, source, true, validator -> { });
    if (result.ok() && (!result.config().pools().isEmpty() || !result.config().classes().isEmpty())) {
      return failed(new ConfigProblem(source, 0, 0, "",
          "with --kubernetes, ModelPools and TrafficClasses come from the cluster; this file may hold RouterSettings only"));
    }
    return result;
  }

  /**
   * Checks a {@code ModelPool} read from the cluster exactly as a static file's pool is checked,
   * except that its pods come from {@code selector} and {@code targetPort}, and against the pools
   * already in force (names and model names must stay unique). A pool that does not say how
   * replicas share its budget gets {@code budget.coordination: partitioned}: in a cluster several
   * routers may run.
   *
   * @param spec the resource's {@code spec} as the API server returned it (maps, lists, scalars)
   * @param inForce the other pools in force, not including an earlier version of this one
   */
  public static Checked<PoolConfig> checkClusterPool(String name, Object spec, Collection<PoolConfig> inForce) {
    Result result = check(List.of(clusterDocument("ModelPool", name, partitionedUnlessSet(spec))), LocationIndex.none(),
        "ModelPool/" + name, true, validator -> inForce.forEach(p -> validator.remember(p.name(), p.spec())));
    return result.ok() ? new Checked<>(result.config().pools().get(0), List.of())
        : new Checked<>(null, result.problems());
  }

  /** Checks a {@code TrafficClass} read from the cluster, against the classes already in force. */
  public static Checked<TrafficClassConfig> checkClusterClass(String name, Object spec,
      Collection<TrafficClassConfig> inForce) {
    Result result = check(List.of(clusterDocument("TrafficClass", name, spec)), LocationIndex.none(),
        "TrafficClass/" + name, true, validator -> inForce.forEach(c -> validator.remember(c.name(), c.spec())));
    return result.ok() ? new Checked<>(result.config().classes().get(0), List.of())
        : new Checked<>(null, result.problems());
  }

  /** A copy of {@code spec} with {@code budget.coordination: partitioned} when it has none. */
  private static Object partitionedUnlessSet(Object spec) {
    if (!(spec instanceof Map<?, ?> fields) || fields.get("budget") != null && !(fields.get("budget") instanceof Map)) {
      return spec; // not an object: the validator reports it as it is
    }
    Map<Object, Object> copy = new LinkedHashMap<>(fields);
    Map<Object, Object> budget = new LinkedHashMap<>(fields.get("budget") == null ? Map.of() : (Map<?, ?>) fields.get("budget"));
    budget.putIfAbsent("coordination", "partitioned");
    copy.put("budget", budget);
    return copy;
  }

  /** A resource read from the cluster when it is valid, else what is wrong with it. */
  public record Checked<T>(T resource, List<ConfigProblem> problems) {
    public boolean ok() {
      return resource != null;
    }
  }

  /**
   * The resource as the document a file would hold, built from the API server's maps as a tree (no
   * YAML text in between: it would have no lines an operator could look up; problems name the
   * resource and the field instead).
   */
  private static JsonNode clusterDocument(String kind, String name, Object spec) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("apiVersion", API_VERSION);
    document.put("kind", kind);
    document.put("metadata", Map.of("name", name));
    document.put("spec", spec == null ? Map.of() : spec);
    try {
      return MAPPER.valueToTree(document);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(kind + "/" + name + ": spec cannot be read: " + e.getMessage(), e);
    }
  }

  private static Result parse(String yaml, String source, boolean cluster, Consumer<ConfigValidator> known) {
    List<JsonNode> documents = new ArrayList<>();
    LocationIndex index;
    try (JsonParser parser = YAML.createParser(yaml)) {
      index = LocationIndex.of(YAML, yaml);
      MappingIterator<JsonNode> values = MAPPER.readerFor(JsonNode.class).readValues(parser);
      while (values.hasNextValue()) {
        documents.add(values.nextValue());
      }
    } catch (JsonProcessingException e) {
      return failed(new ConfigProblem(source, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          e.getLocation() == null ? 0 : e.getLocation().getColumnNr(), "", "not valid YAML: " + e.getOriginalMessage()));
    } catch (IOException e) {
      return failed(new ConfigProblem(source, 0, 0, "", "cannot read: " + e.getMessage()));
    }
    return check(documents, index, source, cluster, known);
  }

  /** Binds and validates parsed documents; {@code index} says where each field stood in the text. */
  private static Result check(List<JsonNode> documents, LocationIndex index, String source, boolean cluster,
      Consumer<ConfigValidator> known) {
    ProblemCollector problems = new ProblemCollector(source, index);
    ConfigValidator validator = new ConfigValidator(problems, cluster, ConfigLoader::plugins);
    known.accept(validator);
    List<PoolConfig> pools = new ArrayList<>();
    List<TrafficClassConfig> classes = new ArrayList<>();
    List<RouterSettings> settings = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      JsonNode document = documents.get(i);
      if (document == null || document.isMissingNode() || document.isNull()) {
        continue; // an empty document, e.g. a trailing '---'
      }
      problems.enter(i, "document " + (i + 1), "");
      Object spec = bindDocument(document, problems);
      if (spec instanceof ModelPoolSpec pool) {
        String name = document.path("metadata").path("name").asText();
        if (validator.checkPool(name, pool) && problems.clean(i)) {
          pools.add(new PoolConfig(name, pool));
        }
      } else if (spec instanceof TrafficClassSpec trafficClass) {
        String name = document.path("metadata").path("name").asText();
        if (validator.checkClass(name, trafficClass) && problems.clean(i)) {
          classes.add(new TrafficClassConfig(name, trafficClass));
        }
      } else if (spec instanceof RouterSettings routerSettings) {
        if (validator.checkSettings(routerSettings) && problems.clean(i)) {
          settings.add(routerSettings);
        }
      }
    }
    validator.checkWhole(pools, settings, !cluster);
    if (!problems.problems().isEmpty()) {
      return new Result(null, List.copyOf(problems.problems()));
    }
    return new Result(new SluiceConfig(pools, classes,
        settings.isEmpty() ? RouterSettings.defaults() : settings.get(0)), List.of());
  }

  /** Checks the envelope and binds the spec; returns null when the document has a problem. */
  private static Object bindDocument(JsonNode document, ProblemCollector problems) {
    if (!document.isObject()) {
      problems.add("", "a resource must be a mapping with apiVersion, kind, metadata and spec");
      return null;
    }
    document.fieldNames().forEachRemaining(field -> {
      if (!TOP_LEVEL.contains(field)) {
        problems.add("/" + field, "unknown field '" + field + "' (known fields: apiVersion, kind, metadata, spec)");
      }
    });
    JsonNode apiVersion = document.get("apiVersion");
    if (apiVersion == null) {
      problems.add("", "missing apiVersion (use " + API_VERSION + ")");
    } else if (!API_VERSION.equals(apiVersion.asText())) {
      problems.add("/apiVersion", "apiVersion '" + apiVersion.asText() + "' is not supported (use " + API_VERSION + ")");
    }
    String name = checkMetadata(document.get("metadata"), problems);
    JsonNode kindNode = document.get("kind");
    Class<?> specType = kindNode == null ? null : KINDS.get(kindNode.asText());
    if (kindNode == null) {
      problems.add("", "missing kind (one of ModelPool, TrafficClass, RouterSettings)");
      return null;
    }
    if (specType == null) {
      problems.add("/kind", "unknown kind '" + kindNode.asText() + "' (one of ModelPool, TrafficClass, RouterSettings)");
      return null;
    }
    String resource = kindNode.asText() + (name == null ? "" : "/" + name);
    JsonNode spec = document.get("spec");
    problems.enter(problems.document(), resource, "/spec");
    if (spec == null || !spec.isObject()) {
      problems.add(spec == null ? "" : "/spec", spec == null ? "missing spec" : "spec must be a mapping");
      return null;
    }
    Object bound = null;
    try {
      bound = MAPPER.readerFor(specType).withHandler(problems).readValue(MAPPER.treeAsTokens(spec));
    } catch (JsonMappingException e) {
      problems.add("/spec" + pointer(e), e.getOriginalMessage());
    } catch (IOException e) {
      problems.add("/spec", e.getMessage());
    }
    return bound; // may hold nulls where problems were recorded; validation skips those paths
  }

  private static String checkMetadata(JsonNode metadata, ProblemCollector problems) {
    if (metadata == null || !metadata.isObject()) {
      problems.add(metadata == null ? "" : "/metadata", "metadata must be a mapping with a name");
      return null;
    }
    metadata.fieldNames().forEachRemaining(field -> {
      if (!METADATA.contains(field)) {
        problems.add("/metadata/" + field, "unknown field '" + field + "' (known fields: " + String.join(", ",
            METADATA.stream().sorted().toList()) + ")");
      }
    });
    JsonNode name = metadata.get("name");
    if (name == null || !name.isTextual()) {
      problems.add("/metadata", "metadata.name is required");
      return null;
    }
    if (!ConfigValidator.isDnsLabel(name.asText())) {
      problems.add("/metadata/name", "name '" + name.asText()
          + "' must be lower-case letters, digits and '-', start and end with a letter or digit, at most 63 characters");
    }
    return name.asText();
  }

  private static String pointer(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      out.append('/').append(ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()));
    }
    return out.toString();
  }

  private static Result failed(ConfigProblem problem) {
    return new Result(null, List.of(problem));
  }
}

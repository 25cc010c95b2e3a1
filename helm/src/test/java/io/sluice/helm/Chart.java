package io.sluice.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.crd.k8s.ModelPool;
import io.sluice.crd.k8s.TrafficClass;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The chart in helm/sluice, rendered by Helm itself (helm-java) and parsed by Fabric8. */
final class Chart {
  /** Surefire runs in the module's directory, helm/. */
  static final Path DIR = Path.of("sluice").toAbsolutePath();
  static final String NAMESPACE = "sluice";
  static final String RELEASE = "demo";
  static final String FULLNAME = "demo-sluice";
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  static {
    SERIALIZATION.registerKubernetesResource(ModelPool.class);
    SERIALIZATION.registerKubernetesResource(TrafficClass.class);
  }

  private Chart() {
  }

  static Helm helm() {
    return new Helm(DIR);
  }

  /**
   * The Kubernetes version rendered for: the chart's kubeVersion needs 1.25 or later (its CRDs'
   * CEL rules), and {@code helm template} assumes an older one unless told.
   */
  static final String KUBE_VERSION = "1.29.0";

  /** {@code helm template demo sluice -n sluice --kube-version 1.29.0 [-f values] [--set k=v ...]}. */
  static String template(Path valuesFile, Map<String, ?> sets) {
    TemplateCommand command = helm().template().withName(RELEASE).withNamespace(NAMESPACE)
        .withKubeVersion(KUBE_VERSION);
    if (valuesFile != null) {
      command.withValuesFile(valuesFile);
    }
    sets.forEach(command::set);
    return command.call();
  }

  /**
   * The {@code helm test} pod. helm-java's template leaves hooks out (and a dry-run install
   * prints no manifest), so it renders a copy of the chart whose test template has its hook
   * annotations taken off: the same template, rendered as an ordinary object.
   */
  static io.fabric8.kubernetes.api.model.Pod testHook(Map<String, ?> sets) {
    try {
      Path copy = java.nio.file.Files.createTempDirectory("sluice-chart");
      copyTo(copy);
      Path test = copy.resolve("templates/tests/test-connection.yaml");
      java.nio.file.Files.writeString(test, java.nio.file.Files.readString(test)
          .replaceAll("(?m)^\\s*helm\\.sh/hook(-delete-policy)?:.*\\n", ""));
      TemplateCommand command = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE)
          .withKubeVersion(KUBE_VERSION);
      sets.forEach(command::set);
      return new Rendered(command.call()).named(io.fabric8.kubernetes.api.model.Pod.class, FULLNAME + "-test");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Copies the chart into {@code target}, for a test that changes it. */
  static void copyTo(Path target) throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(DIR)) {
      for (Path source : files.toList()) {
        Path destination = target.resolve(DIR.relativize(source).toString());
        if (java.nio.file.Files.isDirectory(source)) {
          java.nio.file.Files.createDirectories(destination);
        } else {
          java.nio.file.Files.copy(source, destination);
        }
      }
    }
  }

  static Rendered render(Map<String, ?> sets) {
    return new Rendered(template(null, sets));
  }

  static Rendered render(String valuesResource, Map<String, ?> sets) {
    return new Rendered(template(values(valuesResource), sets));
  }

  static Path values(String resource) {
    return Path.of("src/test/resources/values", resource).toAbsolutePath();
  }

  /** Splits a multi-document YAML stream, skipping empty documents (comments only). */
  static List<String> documents(String yaml) {
    List<String> documents = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      if (document.lines().anyMatch(line -> !line.isBlank() && !line.stripLeading().startsWith("#"))) {
        documents.add(document);
      }
    }
    return documents;
  }

  /** Rendered manifests, each parsed into its Fabric8 type. */
  static final class Rendered {
    final String yaml;
    final List<HasMetadata> objects = new ArrayList<>();

    Rendered(String yaml) {
      this.yaml = yaml;
      for (String document : documents(yaml)) {
        objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
      }
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type) {
      List<T> found = all(type);
      if (found.size() != 1) {
        throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
      }
      return found.get(0);
    }

    <T extends HasMetadata> T named(Class<T> type, String name) {
      return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
          .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
    }

    List<GenericKubernetesResource> generic() {
      return all(GenericKubernetesResource.class);
    }
  }

  /**
   * Paths of fields Fabric8 did not recognise (kept in an additionalProperties map): a misspelt
   * or misplaced field in a template shows up here instead of being silently dropped by the
   * API server.
   */
  static List<String> unknownFields(Object object) {
    List<String> found = new ArrayList<>();
    walk(object, object.getClass().getSimpleName(), found);
    return found;
  }

  private static void walk(Object value, String path, List<String> found) {
    if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
        || value instanceof Enum<?>) {
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", found);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, found));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || getter.getDeclaringClass() == Object.class
          || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))) {
        continue;
      }
      try {
        Object field = getter.invoke(value);
        if (getter.getName().equals("getAdditionalProperties")) {
          if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
            found.add(path + ": " + extra.keySet());
          }
        } else {
          walk(field, path + "." + getter.getName().replaceFirst("^(get|is)", ""), found);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}

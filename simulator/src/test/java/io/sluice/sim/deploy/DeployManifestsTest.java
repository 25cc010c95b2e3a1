package io.sluice.sim.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.crd.k8s.ModelPool;
import io.sluice.crd.k8s.TrafficClass;
import io.sluice.router.cli.Main;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.ConfigProblem;
import io.sluice.router.config.PoolConfig;
import io.sluice.router.config.TrafficClassConfig;
import io.sluice.sim.cli.SimMain;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/**
 * Every manifest under deploy/ binds to Fabric8's typed model without unknown fields, every
 * ModelPool and TrafficClass passes the checks the router applies to resources read from a cluster,
 * every pool's selector and targetPort meet a Deployment in the same directory, and the commands
 * given to the Sluice image parse. The examples cannot rot silently.
 */
class DeployManifestsTest {
  static final Path DEPLOY = Path.of("../deploy");
  static final String IMAGE = "ghcr.io/sluice-io/sluice:";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  @TestFactory
  Stream<DynamicTest> everyManifestDirectoryIsValid() throws IOException {
    List<Path> directories = manifestDirectories();
    assertThat(directories).extracting(d -> DEPLOY.relativize(d).toString().replace('\\', '/'))
        .contains("crds", "emulator", "examples/vllm", "examples/sglang");
    return directories.stream().map(dir -> DynamicTest.dynamicTest(DEPLOY.relativize(dir).toString(),
        () -> checkDirectory(dir)));
  }

  @Test
  void theStaticConfigurationIsValid() throws IOException {
    ConfigLoader.Result result = ConfigLoader.load(DEPLOY.resolve("static/sluice.yaml"));
    assertThat(result.problems()).isEmpty();
  }

  @Test
  void theRouterHasTheRbacAndEnvironmentDocsKubernetesMdAsksFor() throws IOException {
    List<HasMetadata> objects = load(DEPLOY.resolve("emulator/30-router.yaml"));
    Role role = only(objects, Role.class);
    assertThat(verbs(role, "", "pods")).contains("get", "list", "watch");
    assertThat(verbs(role, "sluice.io", "modelpools")).contains("get", "list", "watch");
    assertThat(verbs(role, "sluice.io", "trafficclasses")).contains("get", "list", "watch");
    assertThat(verbs(role, "sluice.io", "modelpools/status")).contains("update", "patch");
    assertThat(verbs(role, "coordination.k8s.io", "leases"))
        .contains("get", "list", "watch", "create", "update", "patch", "delete");
    Container router = only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(router.getEnv()).extracting(EnvVar::getName, e -> e.getValueFrom().getFieldRef().getFieldPath())
        .contains(org.assertj.core.groups.Tuple.tuple("POD_NAME", "metadata.name"),
            org.assertj.core.groups.Tuple.tuple("POD_NAMESPACE", "metadata.namespace"));
  }

  private static void checkDirectory(Path dir) throws IOException {
    List<HasMetadata> objects = new ArrayList<>();
    for (Path file : yamlFiles(dir)) {
      List<HasMetadata> loaded = load(file);
      assertThat(loaded).as(file + " holds no Kubernetes object").isNotEmpty();
      for (HasMetadata object : loaded) {
        List<String> unknown = new ArrayList<>();
        unknownFields(object, object.getKind() + "/" + object.getMetadata().getName(), unknown);
        assertThat(unknown).as(file + ": fields Kubernetes does not know").isEmpty();
      }
      objects.addAll(loaded);
    }
    List<PoolConfig> pools = new ArrayList<>();
    List<TrafficClassConfig> classes = new ArrayList<>();
    for (HasMetadata object : objects) {
      if (object instanceof GenericKubernetesResource resource) {
        checkSluiceResource(resource, pools, classes, objects);
      } else if (object instanceof Deployment deployment) {
        checkSluiceContainers(deployment);
      }
    }
  }

  /** A ModelPool or TrafficClass: binds to the CRD class and passes the router's cluster checks. */
  private static void checkSluiceResource(GenericKubernetesResource resource, List<PoolConfig> pools,
      List<TrafficClassConfig> classes, List<HasMetadata> objects) {
    String name = resource.getMetadata().getName();
    String where = resource.getKind() + "/" + name;
    assertThat(resource.getApiVersion()).as(where).isEqualTo(ConfigLoader.API_VERSION);
    assertThat(resource.getMetadata().getNamespace()).as(where + " namespace").isNotBlank();
    assertThat(resource.getAdditionalProperties().keySet()).as(where + " top-level fields").containsOnly("spec");
    Object spec = resource.getAdditionalProperties().get("spec");
    switch (resource.getKind()) {
      case "ModelPool" -> {
        ModelPool typed = SERIALIZATION.convertValue(resource, ModelPool.class);
        assertThat(typed.getSpec()).as(where + " as the CRD class").isNotNull();
        ConfigLoader.Checked<PoolConfig> checked = ConfigLoader.checkClusterPool(name, spec, pools);
        assertThat(checked.problems()).as(where).extracting(ConfigProblem::toString).isEmpty();
        pools.add(checked.resource());
        assertThat(podsOf(typed, objects)).as(where + ": a Deployment in " + resource.getMetadata().getNamespace()
            + " whose pods carry " + typed.getSpec().selector() + " and declare port " + typed.getSpec().targetPort())
            .isNotEmpty();
      }
      case "TrafficClass" -> {
        TrafficClass typed = SERIALIZATION.convertValue(resource, TrafficClass.class);
        assertThat(typed.getSpec()).as(where + " as the CRD class").isNotNull();
        ConfigLoader.Checked<TrafficClassConfig> checked = ConfigLoader.checkClusterClass(name, spec, classes);
        assertThat(checked.problems()).as(where).extracting(ConfigProblem::toString).isEmpty();
        classes.add(checked.resource());
      }
      default -> throw new AssertionError(where + ": a kind neither Kubernetes nor Sluice defines");
    }
  }

  private static List<Deployment> podsOf(ModelPool pool, List<HasMetadata> objects) {
    return objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .filter(d -> d.getMetadata().getNamespace().equals(pool.getMetadata().getNamespace()))
        .filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet()
            .containsAll(pool.getSpec().selector().entrySet()))
        .filter(d -> d.getSpec().getTemplate().getSpec().getContainers().stream()
            .flatMap(c -> c.getPorts().stream()).map(ContainerPort::getContainerPort)
            .anyMatch(port -> port.equals(pool.getSpec().targetPort())))
        .toList();
  }

  /**
   * A container of the Sluice image runs either the router (the image's entrypoint, so only args)
   * or the emulator (java -cp @/app/jib-classpath-file io.sluice.sim.cli.SimMain); either way its
   * arguments must parse.
   */
  private static void checkSluiceContainers(Deployment deployment) {
    for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
      if (!container.getImage().startsWith(IMAGE)) {
        continue;
      }
      String where = "Deployment/" + deployment.getMetadata().getName() + " container " + container.getName();
      List<String> command = container.getCommand();
      Object program;
      if (command.isEmpty()) {
        program = new Main();
      } else {
        assertThat(command).as(where + " command").containsExactly("java", "-cp", "@/app/jib-classpath-file",
            SimMain.class.getName());
        program = new SimMain();
      }
      try {
        new CommandLine(program).parseArgs(container.getArgs().toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        throw new AssertionError(where + " args " + container.getArgs() + ": " + e.getMessage(), e);
      }
    }
  }

  private static List<String> verbs(Role role, String group, String resource) {
    return role.getRules().stream()
        .filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
        .flatMap(r -> r.getVerbs().stream()).toList();
  }

  private static <T> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  /** Every YAML document of the file, typed by its kind; ModelPool and TrafficClass stay generic. */
  static List<HasMetadata> load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Object parsed = SERIALIZATION.unmarshal(in);
      List<?> items = parsed instanceof Collection<?> c ? List.copyOf(c) : List.of(parsed);
      List<HasMetadata> objects = new ArrayList<>();
      for (Object item : items) {
        assertThat(item).as(file + ": a document that is not a Kubernetes object").isInstanceOf(HasMetadata.class);
        HasMetadata object = (HasMetadata) item;
        if (object instanceof ModelPool || object instanceof TrafficClass) {
          object = SERIALIZATION.convertValue(object, GenericKubernetesResource.class);
        }
        objects.add(object);
      }
      return objects;
    }
  }

  /** Paths of Fabric8 model objects holding fields that their class does not declare. */
  private static void unknownFields(Object value, String path, List<String> unknown) {
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknownFields(item, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown));
      return;
    }
    if (value == null || value instanceof GenericKubernetesResource
        || !value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object field;
      try {
        field = getter.invoke(value);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new AssertionError(path + "." + getter.getName(), e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
          unknown.add(path + ": " + extra.keySet());
        }
      } else {
        unknownFields(field, path + "." + getter.getName().substring(3), unknown);
      }
    }
  }

  static List<Path> manifestDirectories() throws IOException {
    Set<Path> dirs = new HashSet<>();
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      files.filter(DeployManifestsTest::isYaml).filter(f -> !f.startsWith(DEPLOY.resolve("static")))
          .forEach(f -> dirs.add(f.getParent()));
    }
    return dirs.stream().sorted().toList();
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(DeployManifestsTest::isYaml).sorted().toList();
    }
  }

  private static boolean isYaml(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }
}

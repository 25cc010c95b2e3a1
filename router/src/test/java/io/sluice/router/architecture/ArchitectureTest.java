package io.sluice.router.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The house's boundaries, as docs/architecture.md draws them ("Core and edges" and "Layers"):
 * the core is plain Java, the router's packages form no cycle, and no arrow runs back up the
 * layers. A rule that fails here means either the code broke a boundary or the document and
 * this test need to change together.
 *
 * <p>Module cycles (crd, scoring-plugins, router, simulator, helm) need no rule: the Maven
 * reactor refuses them.
 */
class ArchitectureTest {
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.sluice.router", "io.sluice.scoring", "io.sluice.crd");

  /** The admission core, estimation and the pool runtime, and the plain types they use. */
  private static final String[] CORE = {
      "io.sluice.router.admission..", "io.sluice.router.estimate..", "io.sluice.router.runtime..",
      "io.sluice.router.api..", "io.sluice.router.pool..", "io.sluice.router.files.."};

  private static final String VERTX = "io.vertx..";
  private static final String FABRIC8 = "io.fabric8..";
  private static final String MICROMETER = "io.micrometer..";

  @Test
  void coreImportsNoVertxFabric8OrMicrometer() {
    noClasses().that().resideInAnyPackage(CORE)
        .should().dependOnClassesThat().resideInAnyPackage(VERTX, FABRIC8, MICROMETER)
        .because("the core is plain Java with an injected clock; HTTP, Kubernetes and metrics "
            + "live at the edges (docs/architecture.md, Core and edges)")
        .check(CLASSES);
  }

  @Test
  void coreUsesThePlainSpecsNotTheKubernetesResources() {
    noClasses().that().resideInAnyPackage(CORE)
        .should().dependOnClassesThat().resideInAPackage("io.sluice.crd.k8s..")
        .because("ModelPool and TrafficClass (CustomResource) belong to discovery; the core reads "
            + "the plain spec records")
        .check(CLASSES);
  }

  /**
   * Config's records are the RouterSettings resource's schema, so they carry the same CRD
   * generator annotations ({@code io.fabric8.generator.annotation}) as the crd module's records;
   * nothing else of Fabric8, and no Vert.x or Micrometer.
   */
  @Test
  void configIsPlainJavaBesideItsSchemaAnnotations() {
    noClasses().that().resideInAPackage("io.sluice.router.config..")
        .should().dependOnClassesThat(resideInAnyPackage(VERTX, MICROMETER)
            .or(resideInAPackage(FABRIC8).and(resideInAPackage("io.fabric8.generator.annotation..").negate())))
        .check(CLASSES);
  }

  @Test
  void scoringPluginsKnowNeitherTheRouterNorTheEdges() {
    noClasses().that().resideInAPackage("io.sluice.scoring..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("io.sluice.router..", "io.sluice.crd..", VERTX, FABRIC8, MICROMETER)
        .check(CLASSES);
  }

  /**
   * No cycle is frozen: the two this rule found (config -> runtime via Profiles, runtime ->
   * metrics via PrometheusText) were broken by moving each class to the package that uses it.
   * The root package (the wiring) is not a slice; the layer rule keeps it above everything.
   */
  @Test
  void routerPackagesHaveNoCycles() {
    slices().matching("io.sluice.router.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  /**
   * The layers of docs/architecture.md, top to bottom. Each edge package is its own layer, so the
   * edges stay independent of one another; only the wiring (SluiceServer, PoolReconciler) and the CLI
   * see several of them. A class in a package no layer names fails the rule: place a new package
   * in a layer, here and in the document.
   */
  @Test
  void layersOfTheArchitectureDocument() {
    String[] wiringAndUp = {"Cli", "Wiring"};
    String[] edgesAndUp = {"Cli", "Wiring", "Proxy", "Admin", "Discovery", "Coordination"};
    String[] metricsAndUp = {"Cli", "Wiring", "Proxy", "Admin", "Discovery", "Coordination", "Metrics"};
    String[] runtimeAndUp = {"Cli", "Wiring", "Proxy", "Admin", "Discovery", "Coordination", "Metrics",
        "Runtime"};
    String[] configAndUp = {"Cli", "Wiring", "Proxy", "Admin", "Discovery", "Coordination", "Metrics",
        "Runtime", "Config"};
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("Cli").definedBy("io.sluice.router.cli..")
        .layer("Wiring").definedBy("io.sluice.router")
        .layer("Proxy").definedBy("io.sluice.router.proxy..")
        .layer("Admin").definedBy("io.sluice.router.admin..")
        .layer("Discovery").definedBy("io.sluice.router.discovery..")
        .layer("Coordination").definedBy("io.sluice.router.coordination..")
        .layer("Metrics").definedBy("io.sluice.router.metrics..")
        .layer("Runtime").definedBy("io.sluice.router.runtime..")
        .layer("Config").definedBy("io.sluice.router.config..")
        .layer("Admission").definedBy("io.sluice.router.admission..")
        .layer("Estimate").definedBy("io.sluice.router.estimate..")
        .layer("Plain types").definedBy(
            "io.sluice.router.api..", "io.sluice.router.pool..", "io.sluice.router.files..")
        .whereLayer("Cli").mayNotBeAccessedByAnyLayer()
        .whereLayer("Wiring").mayOnlyBeAccessedByLayers("Cli")
        .whereLayer("Proxy").mayOnlyBeAccessedByLayers(wiringAndUp)
        .whereLayer("Admin").mayOnlyBeAccessedByLayers(wiringAndUp)
        .whereLayer("Discovery").mayOnlyBeAccessedByLayers(wiringAndUp)
        .whereLayer("Coordination").mayOnlyBeAccessedByLayers(wiringAndUp)
        .whereLayer("Metrics").mayOnlyBeAccessedByLayers(edgesAndUp)
        .whereLayer("Runtime").mayOnlyBeAccessedByLayers(metricsAndUp)
        .whereLayer("Config").mayOnlyBeAccessedByLayers(runtimeAndUp)
        .whereLayer("Admission").mayOnlyBeAccessedByLayers(runtimeAndUp)
        .whereLayer("Estimate").mayOnlyBeAccessedByLayers(configAndUp)
        .ensureAllClassesAreContainedInArchitectureIgnoring(resideInAnyPackage("io.sluice.scoring..", "io.sluice.crd.."))
        .check(CLASSES);
  }
}

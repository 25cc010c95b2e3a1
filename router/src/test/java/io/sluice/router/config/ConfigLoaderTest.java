package io.sluice.router.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.Durations;
import io.sluice.crd.EngineKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  @Test
  void loadsAValidMultiDocumentConfig() {
    ConfigLoader.Result result = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec:
          models: [qwen3-8b, qwen3-8b-lora]
          endpoints: ["http://127.0.0.1:8001", "http://127.0.0.1:8002"]
          engine: sglang
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          maxBodyBytes: 1048576
          responseTimeout: 1m30s
        ---
        """, "ok.yaml");
    assertThat(result.problems()).isEmpty();
    assertThat(result.config().pools()).singleElement().satisfies(pool -> {
      assertThat(pool.name()).isEqualTo("qwen");
      assertThat(pool.spec().models()).containsExactly("qwen3-8b", "qwen3-8b-lora");
      assertThat(pool.spec().engine()).isEqualTo(EngineKind.SGLANG);
    });
    RouterSettings settings = result.config().settings();
    assertThat(settings.maxBodyBytes()).isEqualTo(1048576L);
    assertThat(settings.responseTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(settings.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void engineDefaultsToVllmAndSettingsToDefaults() {
    ConfigLoader.Result result = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec: {models: [m], endpoints: ["http://127.0.0.1:8001"]}
        """, "min.yaml");
    assertThat(result.ok()).isTrue();
    assertThat(result.config().pools().get(0).spec().engine()).isEqualTo(EngineKind.VLLM);
    assertThat(result.config().settings()).isEqualTo(RouterSettings.defaults());
  }

  @Test
  void reportsEveryMistakeOnceWithItsLine() throws Exception {
    String yaml = Files.readString(Path.of("src/test/resources/config/every-mistake.yaml"));
    List<ConfigProblem> problems = ConfigLoader.parse(yaml, "every-mistake.yaml").problems();
    problems.forEach(System.out::println);
    assertThat(problems).hasSize(14);
    assertThat(problems).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p)
        .startsWith("every-mistake.yaml:4:").contains("metadata.name").contains("'Bad_Name'"));
    assertThat(lineOf(problems, "listed twice")).isEqualTo(6);
    assertThat(lineOf(problems, "htp://")).isEqualTo(7);
    assertThat(lineOf(problems, "must not have a path")).isEqualTo(7);
    assertThat(lineOf(problems, "tensorrt")).isEqualTo(8);
    assertThat(lineOf(problems, "unknown field 'replicas'")).isEqualTo(9);
    assertThat(lineOf(problems, "v1beta9")).isEqualTo(11);
    assertThat(lineOf(problems, "expected a list, found a string")).isEqualTo(15);
    assertThat(lineOf(problems, "at least one pod URL")).isEqualTo(16);
    assertThat(lineOf(problems, "unknown kind 'ModelPod'")).isEqualTo(19);
    assertThat(lineOf(problems, "'lots'")).isEqualTo(27);
    assertThat(lineOf(problems, "'10 minutes'")).isEqualTo(28);
    assertThat(lineOf(problems, "maxConnectionsPerPod")).isEqualTo(30);
    assertThat(lineOf(problems, "already served by ModelPool 'Bad_Name'")).isEqualTo(36);
    assertThat(problems).extracting(ConfigProblem::path)
        .contains("ModelPool/Bad_Name spec.endpoints[0]", "ModelPool/Bad_Name spec.engine",
            "RouterSettings/settings spec.maxBodyBytes");
  }

  @Test
  void reportsEstimationMistakesWithTheirLines() throws Exception {
    String yaml = Files.readString(Path.of("src/test/resources/config/estimation-mistakes.yaml"));
    List<ConfigProblem> problems = ConfigLoader.parse(yaml, "estimation-mistakes.yaml").problems();
    assertThat(problems).hasSize(7);
    assertThat(lineOf(problems, "needs path")).isEqualTo(8);
    assertThat(lineOf(problems, "imageTokens")).isEqualTo(8);
    assertThat(lineOf(problems, "at least 1")).isEqualTo(10);
    assertThat(lineOf(problems, "above 0 and below 1")).isEqualTo(11);
    assertThat(lineOf(problems, "at least minReservationTokens")).isEqualTo(13);
    assertThat(lineOf(problems, "blockSize")).isEqualTo(14);
    assertThat(lineOf(problems, "o300k_base")).isEqualTo(22);
  }

  /** Issue 16: the static file keeps the CRD's rules, and unknown fields are errors. */
  @Test
  void issue16ReportsWhatTheCrdSchemaRefuses() throws Exception {
    String yaml = Files.readString(Path.of("src/test/resources/config/schema-mistakes.yaml"));
    List<ConfigProblem> problems = ConfigLoader.parse(yaml, "schema-mistakes.yaml").problems();
    problems.forEach(System.out::println);
    assertThat(problems).hasSize(10);
    assertThat(lineOf(problems, "spec.priorityHeaderMin: must be between -1000000 and 1000000")).isEqualTo(8);
    assertThat(lineOf(problems, "spec.priorityHeaderMax: must be between -1000000 and 1000000")).isEqualTo(9);
    assertThat(lineOf(problems, "spec.tokenizer.path: must be a local path")).isEqualTo(19);
    assertThat(lineOf(problems, "unknown field 'budgett'")).isEqualTo(20);
    assertThat(lineOf(problems, "spec.budget.utilization: must be above 0")).isEqualTo(24);
    assertThat(lineOf(problems, "'1.5s'")).isEqualTo(26);
    assertThat(lineOf(problems, "'250us'")).isEqualTo(28);
    assertThat(lineOf(problems, "spec.health.maxFailureRatio: must be above 0")).isEqualTo(29);
    assertThat(lineOf(problems, "spec.health.maxAttempts: must be between 1 and 10")).isEqualTo(30);
    assertThat(lineOf(problems, "' 5s'")).isEqualTo(36);
  }

  /** A cluster resource is held to the same rules, and to the ones its CRD requires. */
  @Test
  void issue16ClusterResourcesKeepTheSameRules() {
    var checked = ConfigLoader.checkClusterClass("wide",
        java.util.Map.of("priorityHeaderMin", -2_000_000_000, "priorityHeaderMax", 0), List.of());
    assertThat(checked.problems()).anySatisfy(p -> assertThat(p.toString())
        .contains("spec.priorityHeaderMin").contains("between -1000000 and 1000000"));
    var pool = ConfigLoader.checkClusterPool("qwen",
        java.util.Map.of("models", List.of("m"), "selector", java.util.Map.of("app", "x")), List.of());
    assertThat(pool.problems()).anySatisfy(p -> assertThat(p.toString())
        .contains("spec.targetPort").contains("is required"));
  }

  @Test
  void validTokenizerAndBudgetPass() {
    ConfigLoader.Result result = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec:
          models: [m]
          endpoints: ["http://127.0.0.1:8001"]
          tokenizer: {type: tiktoken, encoding: o200k_base}
          budget: {safetyFactor: 1.2, outputQuantile: 0.95, minReservationTokens: 64, maxReservationTokens: 64, blockSize: 32}
        """, "ok.yaml");
    assertThat(result.problems()).isEmpty();
  }

  private static int lineOf(List<ConfigProblem> problems, String text) {
    return problems.stream().filter(p -> p.message().contains(text) || p.toString().contains(text))
        .findFirst().orElseThrow(() -> new AssertionError("no problem mentions " + text + ": " + problems))
        .line();
  }

  @Test
  void yamlSyntaxErrorIsReportedWithItsLine() {
    List<ConfigProblem> problems = ConfigLoader.parse("kind: ModelPool\nspec: {models: [a\n", "broken.yaml").problems();
    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.message()).startsWith("not valid YAML");
      assertThat(p.line()).isPositive();
    });
  }

  @Test
  void emptyFileHasNoPool() {
    assertThat(ConfigLoader.parse("", "empty.yaml").problems()).singleElement()
        .satisfies(p -> assertThat(p.message()).contains("no ModelPool"));
  }

  @Test
  void nullListItemsAreReportedNotCrashed() {
    List<ConfigProblem> problems = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec: {models: [~], endpoints: [~]}
        """, "nulls.yaml").problems();
    assertThat(problems).hasSize(2);
  }

  @Test
  void durationsParseTheKubernetesWay() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2m");
  }

  @Test
  void healthSettingsOutOfRangeAreReported() {
    List<ConfigProblem> problems = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec:
          models: [m]
          endpoints: ["http://127.0.0.1:8001"]
          health: {consecutiveFailures: 0, maxAttempts: 0, scrapeInterval: 10ms, ejectionTime: 1m, maxEjectionTime: 10s}
        """, "health.yaml").problems();
    assertThat(problems).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
        "ModelPool/qwen spec.health.consecutiveFailures", "ModelPool/qwen spec.health.maxAttempts",
        "ModelPool/qwen spec.health.scrapeInterval", "ModelPool/qwen spec.health.maxEjectionTime");
  }

  @Test
  void scoringProfileBindsBareNamesAndWeightedScorers() {
    ConfigLoader.Result result = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec:
          models: [m]
          endpoints: ["http://127.0.0.1:8001"]
          scoring:
            filters: [token-budget]
            scorers: [{name: token-budget, weight: 2}, {name: prefix-affinity, weight: 1, args: {blockTokens: 64}}]
            picker: {name: max-score}
        """, "scoring.yaml");
    assertThat(result.problems()).isEmpty();
    assertThat(result.config().pools().get(0).spec().scoring().scorers()).hasSize(2);
  }

  @Test
  void unknownPluginAndBadArgumentAreNamed() {
    List<ConfigProblem> problems = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec:
          models: [m]
          endpoints: ["http://127.0.0.1:8001"]
          scoring:
            filters: [token-budgte]
            scorers: [{name: prefix-affinity, args: {blockTokens: 0}}]
        """, "scoring.yaml").problems();
    problems.forEach(System.out::println);
    assertThat(problems).hasSize(2);
    assertThat(problems).extracting(ConfigProblem::line).containsExactlyInAnyOrder(8, 9);
    assertThat(problems).extracting(ConfigProblem::message)
        .anySatisfy(m -> assertThat(m).contains("token-budgte"))
        .anySatisfy(m -> assertThat(m).contains("blockTokens").contains("prefix-affinity"));
  }

  @Test
  void aStaticPoolRefusesTheClusterFields() {
    List<ConfigProblem> problems = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec: {models: [m], endpoints: ["http://127.0.0.1:8001"], selector: {app: vllm}, targetPort: 8000}
        """, "cluster-fields.yaml").problems();
    assertThat(problems).extracting(ConfigProblem::message).containsExactly(
        "selector is for serve --kubernetes; a static pool lists endpoints",
        "targetPort is for serve --kubernetes; a static pool lists endpoints");
  }

  @Test
  void securitySettingsAndClassPermissionsAreChecked() {
    List<ConfigProblem> problems = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec: {models: [m], endpoints: ["http://127.0.0.1:8001"]}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          maxHeaderBytes: 100
          maxConnections: 0
          requestTimeout: 0s
          authentication: {mode: sometimes}
          tls: {certFile: /tmp/c.pem}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: gold}
        spec:
          priority: 10
          priorityHeaderMin: 20
          match: {apiKeySecretRef: {name: keys}, apiKeyFiles: [""]}
        """, "security.yaml").problems();
    assertThat(problems).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
        "RouterSettings/settings spec.authentication.mode", "RouterSettings/settings spec.maxHeaderBytes",
        "RouterSettings/settings spec.maxConnections", "RouterSettings/settings spec.requestTimeout",
        "RouterSettings/settings spec.tls.keyFile", "TrafficClass/gold spec.match.apiKeySecretRef",
        "TrafficClass/gold spec.match.apiKeyFiles[0]", "TrafficClass/gold spec.priorityHeaderMax");
    assertThat(problems).extracting(ConfigProblem::toString).anySatisfy(p -> assertThat(p).contains("sometimes"));
  }

  @Test
  void duplicateKeysAreErrorsNotLastOneWins() {
    // issue 21.12: duplicate YAML keys were accepted silently
    ConfigLoader.Result result = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec:
          models: [qwen3-8b]
          endpoints: ["http://127.0.0.1:8001"]
          budget: {tokensPerPod: 1000, tokensPerPod: 900000}
        """, "dup.yaml");
    assertThat(result.ok()).isFalse();
    assertThat(result.problems()).singleElement().satisfies(problem ->
        assertThat(problem.toString()).contains("dup.yaml:7").contains("Duplicate field 'tokensPerPod'"));
  }

  @Test
  void aClassMatchingOnAHeaderNotTrustedIsRefused() {
    String classes = """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec: {models: [qwen3-8b], endpoints: ["http://127.0.0.1:8001"]}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: interactive}
        spec: {priority: 100, match: {headers: {X-Sluice-Class: interactive}}}
        """;
    ConfigLoader.Result untrusted = ConfigLoader.parse(classes, "c.yaml");
    assertThat(untrusted.problems()).singleElement().satisfies(problem -> assertThat(problem.toString())
        .contains("TrafficClass/interactive").contains("X-Sluice-Class").contains("trustedHeaders"));
    ConfigLoader.Result trusted = ConfigLoader.parse(classes + """
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec: {trustedHeaders: [x-sluice-class]}
        """, "c.yaml");
    assertThat(trusted.problems()).isEmpty();
  }

  @Test
  void overloadSettingsAreChecked() {
    ConfigLoader.Result result = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec: {models: [qwen3-8b], endpoints: ["http://127.0.0.1:8001"]}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          maxBodyBytes: 100000
          maxBufferedBodyBytes: 5000
          maxHeapUsage: 1.5
          firstRequestTimeout: 0s
          maxConnectionsPerAddress: -1
          clientWriteTimeout: 0s
          maxStreamDuration: 0s
          trustedHeaders: [authorization, "bad header"]
        """, "o.yaml");
    assertThat(result.problems()).extracting(ConfigProblem::path).containsExactlyInAnyOrder(
        "RouterSettings/settings spec.maxBufferedBodyBytes", "RouterSettings/settings spec.maxHeapUsage",
        "RouterSettings/settings spec.firstRequestTimeout", "RouterSettings/settings spec.maxConnectionsPerAddress",
        "RouterSettings/settings spec.clientWriteTimeout", "RouterSettings/settings spec.maxStreamDuration",
        "RouterSettings/settings spec.trustedHeaders[0]", "RouterSettings/settings spec.trustedHeaders[1]");
  }

  @Test
  void securityDefaultsAreOff() {
    RouterSettings settings = RouterSettings.defaults();
    assertThat(settings.authentication().mode()).isEqualTo(RouterSettings.AuthMode.NONE);
    assertThat(settings.tls()).isNull();
    assertThat(settings.maxHeaderBytes()).isEqualTo(16384);
    assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.clientIdleTimeout()).isEqualTo(Duration.ofMinutes(2));
  }
}

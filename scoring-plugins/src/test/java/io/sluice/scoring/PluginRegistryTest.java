package io.sluice.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sluice.scoring.plugins.random.RandomScorerFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PluginRegistryTest {
  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());

  @Test
  void findsEveryBuiltInPlugin() {
    assertThat(registry.types()).containsExactly("kv-cache", "least-request", "lora-affinity",
        "max-score", "prefill-balance", "prefix-affinity", "queue-depth", "random", "session-affinity",
        "token-budget", "weighted-top-k");
  }

  @Test
  void buildsEveryBuiltInAsEachOfItsKinds() throws ProfileException {
    for (String type : registry.types()) {
      Set<Kind> kinds = registry.factory(type).kinds();
      PluginConfig entry = PluginConfig.of(type);
      registry.validate(new ProfileConfig(
          kinds.contains(Kind.FILTER) ? List.of(entry) : List.of(),
          kinds.contains(Kind.SCORER) ? List.of(entry) : List.of(),
          kinds.contains(Kind.PICKER) ? entry : null));
    }
  }

  @Test
  void refusesTwoFactoriesOfOneType() {
    assertThatThrownBy(() -> PluginRegistry.of(List.of(new RandomScorerFactory(),
        TestFactory.scorer("random", (r, e) -> 1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("duplicate plugin type 'random': provided by "
            + RandomScorerFactory.class.getName())
        .hasMessageContaining("and by " + TestFactory.class.getName());
  }

  @Test
  void refusesAnInvalidTypeName() {
    assertThatThrownBy(() -> PluginRegistry.of(List.of(TestFactory.scorer("Mine_1", (r, e) -> 1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("invalid type name 'Mine_1'");
  }

  static Stream<Arguments> badProfiles() {
    return Stream.of(
        Arguments.of("unknown plugin",
            new ProfileConfig(List.of(PluginConfig.of("token-budget"), PluginConfig.of("nope")), null, null),
            List.of("filters[1] (nope): unknown plugin type; known types: [kv-cache, least-request,"
                + " lora-affinity, max-score, prefill-balance, prefix-affinity, queue-depth, random, session-affinity,"
                + " token-budget, weighted-top-k]")),
        Arguments.of("argument out of range",
            new ProfileConfig(null, List.of(new PluginConfig("prefix-affinity", 1.0, Map.of("blockTokens", 0))), null),
            List.of("scorers[0].args.blockTokens (prefix-affinity): must be at least 1, got 0")),
        Arguments.of("argument of the wrong type",
            new ProfileConfig(null, List.of(new PluginConfig("prefix-affinity", 1.0, Map.of("maxBlocks", "many"))), null),
            List.of("scorers[0].args.maxBlocks (prefix-affinity): expected Integer, got 'many'")),
        Arguments.of("unknown argument",
            new ProfileConfig(null, List.of(new PluginConfig("prefix-affinity", 1.0, Map.of("blokTokens", 8))), null),
            List.of("scorers[0].args.blokTokens (prefix-affinity): unknown argument; accepted:"
                + " blockTokens, capacity, maxBlocks")),
        Arguments.of("argument to a plugin that takes none",
            new ProfileConfig(List.of(new PluginConfig("token-budget", null, Map.of("slack", 1))), null, null),
            List.of("filters[0].args.slack (token-budget): unknown argument; it takes no arguments")),
        Arguments.of("wrong kind",
            new ProfileConfig(List.of(PluginConfig.of("random")), null, PluginConfig.of("kv-cache")),
            List.of("filters[0] (random): cannot be used as a filter; it is a scorer",
                "picker (kv-cache): cannot be used as a picker; it is a scorer")),
        Arguments.of("weights",
            new ProfileConfig(List.of(PluginConfig.of("token-budget", 2)),
                List.of(PluginConfig.of("kv-cache", -1), PluginConfig.of("queue-depth", Double.NaN)), null),
            List.of("filters[0].weight (token-budget): only scorers take a weight",
                "scorers[0].weight (kv-cache): must be a finite number >= 0, got -1.0",
                "scorers[1].weight (queue-depth): must be a finite number >= 0, got NaN")),
        Arguments.of("missing name",
            new ProfileConfig(null, List.of(new PluginConfig(null, 1.0, null)), null),
            List.of("scorers[0]: missing plugin name")),
        Arguments.of("several problems at once",
            new ProfileConfig(List.of(PluginConfig.of("random")),
                List.of(PluginConfig.of("token-budget", 2),
                    new PluginConfig("weighted-top-k", 1.0, Map.of("k", 0)),
                    new PluginConfig("lora-affinity", 1.0, Map.of("maxLoras", -2))),
                new PluginConfig("weighted-top-k", null, Map.of("k", 0))),
            List.of("filters[0] (random): cannot be used as a filter; it is a scorer",
                "scorers[1] (weighted-top-k): cannot be used as a scorer; it is a picker",
                "scorers[1].args.k (weighted-top-k): must be at least 1, got 0",
                "scorers[2].args.maxLoras (lora-affinity): must be at least 1, got -2",
                "picker.args.k (weighted-top-k): must be at least 1, got 0")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badProfiles")
  void reportsEveryProblemWithItsField(String name, ProfileConfig config, List<String> problems) {
    ProfileException e = catchThrowableOfType(ProfileException.class, () -> registry.build(config));

    assertThat(e.problems()).containsExactlyElementsOf(problems);
    assertThat(e).hasMessage(String.join("; ", problems));
  }

  @Test
  void reportsAFactoryThatReturnsTheWrongKind() {
    PluginRegistry odd = PluginRegistry.of(List.of(
        new TestFactory("odd", Set.of(Kind.FILTER), NoArgs.class, (k, a) -> "not a filter")));

    ProfileException e = catchThrowableOfType(ProfileException.class,
        () -> odd.build(new ProfileConfig(List.of(PluginConfig.of("odd")), List.of(), null)));

    assertThat(e.problems()).containsExactly(
        "filters[0] (odd): factory " + TestFactory.class.getName()
            + " returned java.lang.String, not a Filter",
        "picker (max-score): unknown plugin type; known types: [odd]");
  }
}

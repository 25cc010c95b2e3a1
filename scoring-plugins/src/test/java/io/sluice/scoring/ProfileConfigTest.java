package io.sluice.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileConfigTest {
  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void bindsTheIssuesExampleWithBareNamesAndObjects() throws Exception {
    String json = """
        {"filters": ["token-budget"],
         "scorers": [{"name": "token-budget", "weight": 2},
                     {"name": "prefix-affinity", "weight": 1, "args": {"blockTokens": 64}}],
         "picker": {"name": "max-score"}}""";

    ProfileConfig config = mapper.readValue(json, ProfileConfig.class);

    assertThat(config).isEqualTo(new ProfileConfig(List.of(PluginConfig.of("token-budget")),
        List.of(PluginConfig.of("token-budget", 2),
            new PluginConfig("prefix-affinity", 1.0, Map.of("blockTokens", 64))),
        PluginConfig.of("max-score")));
  }

  @Test
  void fieldsLeftOutTakeTheirDefaultsAndEmptyListsMeanNone() throws Exception {
    ProfileConfig config = mapper.readValue("{\"filters\": []}", ProfileConfig.class);

    assertThat(config.filters()).isEmpty();
    assertThat(config.scorers()).isEqualTo(ProfileConfig.DEFAULT_SCORERS);
    assertThat(config.picker()).isEqualTo(PluginConfig.of("max-score"));
  }

  @Test
  void theDefaultProfileFiltersAndScoresByTokenBudget() {
    ProfileConfig defaults = ProfileConfig.defaults();

    assertThat(defaults.filters()).extracting(PluginConfig::name).containsExactly("token-budget");
    assertThat(defaults.scorers()).extracting(PluginConfig::name, PluginConfig::weightOrDefault)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("token-budget", 2.0),
            org.assertj.core.groups.Tuple.tuple("prefix-affinity", 1.0),
            org.assertj.core.groups.Tuple.tuple("queue-depth", 1.0),
            org.assertj.core.groups.Tuple.tuple("kv-cache", 1.0),
            org.assertj.core.groups.Tuple.tuple("prefill-balance", 2.0));
  }
}

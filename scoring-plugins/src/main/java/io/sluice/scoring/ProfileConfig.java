package io.sluice.scoring;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A pool's scoring profile as written in YAML. Each field left out (null) takes its default from
 * {@link #defaults()}; an empty list means "none" (no filters, or no scorers: every candidate
 * then scores 0 and the picker decides alone).
 */
public record ProfileConfig(
    @JsonProperty("filters") List<PluginConfig> filters,
    @JsonProperty("scorers") List<PluginConfig> scorers,
    @JsonProperty("picker") PluginConfig picker) {

  /** Only pods the reservation fits on. */
  public static final List<PluginConfig> DEFAULT_FILTERS = List.of(PluginConfig.of("token-budget"));

  /**
   * Token headroom counts double: it is what Sluice admits by, and it already reflects the
   * router's own in-flight work. Pending prefill counts double too: a new request's first token
   * waits for the prompts sent ahead of it on the pod (on the simulator's conv trace this halved
   * TTFT p50 at load 0.9). Prefix reuse, the engine's queue and its KV use break ties and steer
   * away from pods the engine reports as busy.
   */
  public static final List<PluginConfig> DEFAULT_SCORERS = List.of(
      PluginConfig.of("token-budget", 2),
      PluginConfig.of("prefix-affinity", 1),
      PluginConfig.of("queue-depth", 1),
      PluginConfig.of("kv-cache", 1),
      PluginConfig.of("prefill-balance", 2));

  /** The best weighted score, ties broken at random. */
  public static final PluginConfig DEFAULT_PICKER = PluginConfig.of("max-score");

  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public ProfileConfig {
    filters = filters == null ? DEFAULT_FILTERS : Collections.unmodifiableList(new ArrayList<>(filters));
    scorers = scorers == null ? DEFAULT_SCORERS : Collections.unmodifiableList(new ArrayList<>(scorers));
    picker = picker == null ? DEFAULT_PICKER : picker;
  }

  /** The profile used when a pool names none. */
  public static ProfileConfig defaults() {
    return new ProfileConfig(null, null, null);
  }
}

package io.sluice.router.config;

import io.sluice.crd.ScoringSpec;
import io.sluice.scoring.PluginConfig;
import io.sluice.scoring.ProfileConfig;
import java.util.List;

/** Turns a pool's {@code spec.scoring} into the plugin module's profile configuration. */
public final class Profiles {
  private Profiles() {}

  /** The profile to build: the default one when the pool sets none. */
  public static ProfileConfig of(ScoringSpec spec) {
    if (spec == null) {
      return ProfileConfig.defaults();
    }
    return new ProfileConfig(plugins(spec.filters()), plugins(spec.scorers()),
        spec.picker() == null ? null : plugin(spec.picker()));
  }

  private static List<PluginConfig> plugins(List<ScoringSpec.PluginRef> refs) {
    return refs == null ? null : refs.stream().map(Profiles::plugin).toList();
  }

  private static PluginConfig plugin(ScoringSpec.PluginRef ref) {
    return ref == null ? null : new PluginConfig(ref.name(), ref.weight(), ref.args());
  }
}

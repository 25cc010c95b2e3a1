package io.sluice.sim.cluster;

import io.sluice.crd.AdmissionMode;
import io.sluice.scoring.PluginConfig;
import io.sluice.scoring.PluginFactory;
import io.sluice.scoring.PluginRegistry;
import io.sluice.scoring.ProfileConfig;
import io.sluice.scoring.ProfileException;
import io.sluice.scoring.ScoringProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The routing policies compared. Every one runs through the router's own {@code PoolRuntime}
 * (admission controller, chain selector, estimator) with a scoring profile built by the plugin
 * registry; the baselines run it in {@code observe} mode, which picks a pod with the profile and
 * never queues or refuses, i.e. a router without admission.
 */
public enum Policy {
  ROUND_ROBIN("round-robin", "round-robin (rotation, no admission)", AdmissionMode.OBSERVE,
      List.of(), RoundRobinPicker.TYPE),
  RANDOM("random", "random (seeded, no admission)", AdmissionMode.OBSERVE,
      List.of("random"), "max-score"),
  LEAST_REQUEST("least-request", "least-request (re-implementation of kthena-router's published formula"
      + " running + 100 x waiting, no admission)", AdmissionMode.OBSERVE, List.of("least-request"), "max-score"),
  LEAST_KV_CACHE("least-kv-cache", "least-kv-cache (1 - engine KV usage, no admission)", AdmissionMode.OBSERVE,
      List.of("kv-cache"), "max-score"),
  PREFIX_AFFINITY("prefix-affinity", "prefix-cache affinity (Sluice's prefix-affinity scorer alone, no"
      + " admission)", AdmissionMode.OBSERVE, List.of("prefix-affinity"), "max-score"),
  SLUICE("sluice", "Sluice (token-budget admission, enforce, default profile)", AdmissionMode.ENFORCE,
      null, null);

  private final String id;
  private final String label;
  private final AdmissionMode mode;
  /** Scorers by type, weight 1; null for the default profile. */
  private final List<String> scorers;
  private final String picker;

  Policy(String id, String label, AdmissionMode mode, List<String> scorers, String picker) {
    this.id = id;
    this.label = label;
    this.mode = mode;
    this.scorers = scorers;
    this.picker = picker;
  }

  public String id() {
    return id;
  }

  public String label() {
    return label;
  }

  public AdmissionMode mode() {
    return mode;
  }

  public static Policy parse(String id) {
    for (Policy p : values()) {
      if (p.id.equals(id.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown policy " + id);
  }

  /**
   * The profile this policy scores with. Random sources are seeded with {@code seed}; otherwise
   * Sluice's is {@link ProfileConfig#defaults()} exactly.
   */
  public ScoringProfile profile(long seed) {
    Map<String, Object> seeded = Map.of("seed", seed);
    ProfileConfig config;
    if (scorers == null) {
      ProfileConfig defaults = ProfileConfig.defaults();
      config = new ProfileConfig(defaults.filters(), defaults.scorers(),
          new PluginConfig(defaults.picker().name(), null, seeded));
    } else {
      List<PluginConfig> list = scorers.stream()
          .map(type -> new PluginConfig(type, 1.0, type.equals("random") ? Map.of("seed", seed + 1) : null))
          .toList();
      config = new ProfileConfig(List.of(), list,
          new PluginConfig(picker, null, picker.equals("max-score") ? seeded : null));
    }
    try {
      return registry().build(config);
    } catch (ProfileException e) {
      throw new IllegalStateException("profile of policy " + id + ": " + e.getMessage(), e);
    }
  }

  private static PluginRegistry registry() {
    PluginRegistry loaded = PluginRegistry.load(Policy.class.getClassLoader());
    List<PluginFactory> factories = new ArrayList<>();
    loaded.types().forEach(type -> factories.add(loaded.factory(type)));
    factories.add(new RoundRobinPicker.Factory());
    return PluginRegistry.of(factories);
  }
}

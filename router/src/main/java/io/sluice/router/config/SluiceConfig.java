package io.sluice.router.config;

import java.util.List;

/** A whole, valid configuration: model pools, traffic classes and router settings. */
public record SluiceConfig(List<PoolConfig> pools, List<TrafficClassConfig> classes, RouterSettings settings) {

  public SluiceConfig {
    pools = List.copyOf(pools);
    classes = List.copyOf(classes);
  }
}

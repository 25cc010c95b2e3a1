package io.sluice.router.config;

import java.util.List;

/** A whole, valid configuration: the model pools and the router settings. */
public record SluiceConfig(List<PoolConfig> pools, RouterSettings settings) {

  public SluiceConfig {
    pools = List.copyOf(pools);
  }
}

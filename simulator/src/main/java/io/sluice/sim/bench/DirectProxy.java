package io.sluice.sim.bench;

import java.util.List;

/** No proxy: the load generator spreads requests over the backends itself, in turn. */
public record DirectProxy(List<String> targets) implements Proxy {
  @Override
  public String name() {
    return "direct (client round robin)";
  }

  @Override
  public double cpuSeconds() {
    return 0;
  }

  @Override
  public void close() {
    // nothing runs
  }
}

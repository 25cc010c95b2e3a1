package io.sluice.sim.bench;

import java.util.List;

/** A proxy running as a child process on one loopback port: HAProxy, nginx, or Sluice itself. */
abstract class ProcessProxy implements Proxy {
  private final ChildProcess child;
  private final int port;
  private final String name;

  ProcessProxy(ChildProcess child, int port, String name) {
    this.child = child;
    this.port = port;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> targets() {
    return List.of("http://127.0.0.1:" + port);
  }

  @Override
  public double cpuSeconds() {
    return child.cpuSeconds();
  }

  @Override
  public void close() {
    child.stop();
  }
}

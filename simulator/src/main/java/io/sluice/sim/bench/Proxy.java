package io.sluice.sim.bench;

import java.util.List;

/** One system under test in front of the backends: a proxy process, or the client itself. */
public interface Proxy extends AutoCloseable {
  /** Name in the result tables. */
  String name();

  /** Base URLs the load generator sends to (several: client-side round robin). */
  List<String> targets();

  /** CPU seconds the proxy's processes have used so far; 0 when there is no proxy process. */
  double cpuSeconds();

  /** Stops the proxy and waits for it to exit. */
  @Override
  void close();
}

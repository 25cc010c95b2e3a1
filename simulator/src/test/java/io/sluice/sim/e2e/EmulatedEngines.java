package io.sluice.sim.e2e;

import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.sluice.sim.server.Faults;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Emulated vLLM engines on 127.0.0.1 for end-to-end tests: seeded, fault-free, 100-token outputs. */
final class EmulatedEngines {
  private EmulatedEngines() {}

  /**
   * @param kvTokens KV-cache size of each engine
   * @param timeScale how much faster than the model the engines run
   */
  static List<EngineServer> deploy(Vertx vertx, int count, int kvTokens, double timeScale) throws Exception {
    List<EngineServer> engines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      engines.add(deploy(vertx, i, kvTokens, timeScale, Faults.NONE));
    }
    return engines;
  }

  /** The {@code index}-th engine of {@link #deploy(Vertx, int, int, double)}, with {@code faults}. */
  static EngineServer deploy(Vertx vertx, int index, int kvTokens, double timeScale, Faults faults) throws Exception {
    return EngineServer.deploy(vertx, new EngineOptions("127.0.0.1", 0, "qwen3-8b", List.of(),
        EngineConfig.of(kvTokens, Profiles.LLAMA3_8B_A100), timeScale, null, 7 + index, "fixed:100",
        EngineOptions.Flavor.VLLM, faults)).await(10, TimeUnit.SECONDS);
  }
}

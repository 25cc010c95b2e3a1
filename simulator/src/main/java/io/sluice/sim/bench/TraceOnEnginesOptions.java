package io.sluice.sim.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options {@code bench cluster} and {@code bench soak} share: the trace they replay and the
 * emulated engines they replay it on. Only the KV size's default differs between the two, so it
 * is no annotation attribute but the field's initial value, which each command passes in and
 * picocli shows as {@code ${DEFAULT-VALUE}}.
 */
final class TraceOnEnginesOptions {
  @Option(names = "--trace", required = true, description = "Trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens).")
  Path trace;
  @Option(names = "--engines", defaultValue = "4", description = "Emulated engines (default: ${DEFAULT-VALUE}).")
  int engines;
  @Option(names = "--kv-tokens", description = "KV-cache tokens per engine (default: ${DEFAULT-VALUE}).")
  int kvTokens;
  @Option(names = "--time-scale", defaultValue = "4", description = "Engine model speed-up (default: ${DEFAULT-VALUE}).")
  double timeScale;
  @Option(names = "--model", defaultValue = "qwen3-8b")
  String model;

  TraceOnEnginesOptions(int defaultKvTokens) {
    this.kvTokens = defaultKvTokens;
  }

  /** A fresh set of the engines these options describe. */
  EngineCluster startEngines() throws Exception {
    return EngineCluster.start(engines, model, kvTokens, timeScale);
  }
}

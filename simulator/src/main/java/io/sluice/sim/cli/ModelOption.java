package io.sluice.sim.cli;

import picocli.CommandLine.Option;

/** {@code --model} as {@code demo} and {@code replay} take it: the model name requests carry. */
final class ModelOption {
  @Option(names = "--model", defaultValue = "qwen3-8b", description = "Model name (default: ${DEFAULT-VALUE}).")
  String model; // the field name is the help's <model>
}

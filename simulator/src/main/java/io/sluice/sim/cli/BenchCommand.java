package io.sluice.sim.cli;

import io.sluice.sim.bench.ClusterBenchCommand;
import io.sluice.sim.bench.OverheadBenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bench}: benchmarks over HTTP on loopback (see docs/benchmarks.md). */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks on loopback: 'cluster' (trace replay through routers) and 'overhead' (proxy cost).",
    subcommands = {ClusterBenchCommand.class, OverheadBenchCommand.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

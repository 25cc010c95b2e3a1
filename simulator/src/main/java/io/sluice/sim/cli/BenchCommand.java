package io.sluice.sim.cli;

import io.sluice.sim.bench.ClusterBenchCommand;
import io.sluice.sim.bench.OverheadBenchCommand;
import io.sluice.sim.bench.SoakCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bench}: benchmarks over HTTP on loopback (see docs/benchmarks.md). */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks on loopback: 'cluster' (trace replay through routers), 'overhead' (proxy cost) and 'soak' (long run at a fraction of capacity).",
    subcommands = {ClusterBenchCommand.class, OverheadBenchCommand.class, SoakCommand.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

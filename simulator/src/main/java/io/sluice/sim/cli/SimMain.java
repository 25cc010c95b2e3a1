package io.sluice.sim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of sluice-sim.jar. */
@Command(name = "sluice-sim", mixinStandardHelpOptions = true,
        description = "Sluice simulator: emulated LLM engines, calibration, trace replay and benchmarks.",
        subcommands = {EngineCommand.class, DemoCommand.class, CalibrateCommand.class, ReplayCommand.class, BenchCommand.class,
            CompareCommand.class})
public final class SimMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new SimMain()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}

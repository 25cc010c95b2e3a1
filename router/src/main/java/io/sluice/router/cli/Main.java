package io.sluice.router.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar sluice.jar serve|validate ...}. */
@Command(name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Kubernetes-native LLM router that admits requests by their token cost.",
    subcommands = {ServeCommand.class, ValidateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

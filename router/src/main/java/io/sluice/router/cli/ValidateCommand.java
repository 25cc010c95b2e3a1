package io.sluice.router.cli;

import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.ConfigProblem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Checks a configuration file and prints every problem with its location; exit 1 if any. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a configuration file; print every problem with its location (exit 1 if any).")
final class ValidateCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration YAML file.")
  Path config;

  @Override
  public Integer call() {
    ConfigLoader.Result result;
    try {
      result = ConfigLoader.load(config);
    } catch (IOException e) {
      System.err.println(config + ": cannot read: " + e.getMessage());
      return 1;
    }
    if (result.ok()) {
      // What serve loads, loaded the same way: a tokenizer, key file or certificate serve would refuse fails here.
      java.util.List<String> files = Preflight.problems(result.config(), true);
      if (!files.isEmpty()) {
        files.forEach(problem -> System.err.println(config + ": " + problem));
        System.err.println(files.size() + " problem" + (files.size() == 1 ? "" : "s") + " found");
        return 1;
      }
      System.out.println(config + ": OK (" + result.config().pools().size() + " model pools)");
      return 0;
    }
    for (ConfigProblem problem : result.problems()) {
      System.err.println(problem);
    }
    System.err.println(result.problems().size() + " problem" + (result.problems().size() == 1 ? "" : "s") + " found");
    return 1;
  }
}

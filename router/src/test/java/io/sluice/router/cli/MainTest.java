package io.sluice.router.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  @TempDir
  Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = new CommandLine(new Main());
      cli.setOut(new java.io.PrintWriter(System.out, true));
      cli.setErr(new java.io.PrintWriter(System.err, true));
      int exit = cli.execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void helpListsTheCommands() {
    Run run = run("--help");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("serve").contains("validate");
    assertThat(run("serve", "--help").out()).contains("--config").contains("--port").contains("--admin-port");
  }

  @Test
  void validateAcceptsAGoodFile() throws Exception {
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec: {models: [qwen3-8b], endpoints: ["http://127.0.0.1:8001"]}
        """);
    Run run = run("validate", "--config", file.toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("OK");
  }

  @Test
  void validatePrintsEveryProblemAndExitsOne() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec: {models: [], endpoints: ["ftp://x"], colour: blue}
        """);
    Run run = run("validate", "--config", file.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("bad.yaml:4:").contains("unknown field 'colour'")
        .contains("at least one model").contains("'ftp://x'").contains("3 problems found");
  }

  @Test
  void missingFileIsAnError() {
    Run run = run("validate", "--config", dir.resolve("nope.yaml").toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("cannot read");
  }
}

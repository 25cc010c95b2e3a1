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
        .contains("spec.models: must list at least one entry: Model names").contains("'ftp://x'").contains("3 problems found");
  }

  private Path config(String tokenizerPath, String keyFile) throws Exception {
    Path file = dir.resolve("files.yaml");
    Files.writeString(file, """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: qwen}
        spec:
          models: [qwen3-8b]
          endpoints: ["http://127.0.0.1:8001"]
          budget: {tokensPerPod: 10000}
          %s
        ---
        apiVersion: sluice.io/v1alpha1
        kind: TrafficClass
        metadata: {name: gold}
        spec: {match: {apiKeyFiles: ["%s"]}}
        """.formatted(tokenizerPath == null ? "" : "tokenizer: {type: huggingface, path: \"" + tokenizerPath + "\"}",
        keyFile));
    return file;
  }

  @Test
  void validateLoadsTheFilesServeLoads() throws Exception {
    // issue 21.12: validate said OK to a tokenizer or key file that serve then refused (or ran out of memory on)
    Path keys = Files.writeString(dir.resolve("keys"), "key-1\n");
    assertThat(run("validate", "--config", config(null, keys.toString()).toString()).exit()).isZero();

    Run devZeroKeys = run("validate", "--config", config(null, "/dev/zero").toString());
    assertThat(devZeroKeys.exit()).isEqualTo(1);
    assertThat(devZeroKeys.err()).contains("TrafficClass/gold").contains("/dev/zero").contains("not a regular file");

    Run missingKeys = run("validate", "--config", config(null, dir.resolve("nope").toString()).toString());
    assertThat(missingKeys.exit()).isEqualTo(1);
    assertThat(missingKeys.err()).contains("does not exist");

    Run devZeroTokenizer = run("validate", "--config", config("/dev/zero", keys.toString()).toString());
    assertThat(devZeroTokenizer.exit()).isEqualTo(1);
    assertThat(devZeroTokenizer.err()).contains("ModelPool/qwen").contains("not a regular file");

    Run url = run("validate", "--config", config("https://huggingface.co/Qwen/Qwen3-8B/tokenizer.json",
        keys.toString()).toString());
    assertThat(url.exit()).isEqualTo(1);
    assertThat(url.err()).contains("spec.tokenizer.path").contains("URLs are not downloaded");
  }

  @Test
  void serveRefusesAKeyFileItCannotReadInsteadOfStartingWithoutItsKeys() throws Exception {
    Run run = run("serve", "--config", config(null, "/dev/zero").toString(), "--port", "0", "--admin-port", "0");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("/dev/zero").contains("not a regular file");
  }

  @Test
  void aConfigFileThatIsNotARegularFileIsRefusedNotReadForever() {
    Run run = run("validate", "--config", "/dev/zero");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("not a regular file");
    assertThat(run("serve", "--config", "/dev/zero").exit()).isEqualTo(1);
  }

  @Test
  void missingFileIsAnError() {
    Run run = run("validate", "--config", dir.resolve("nope.yaml").toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("cannot read");
  }
}

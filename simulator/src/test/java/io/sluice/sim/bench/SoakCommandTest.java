package io.sluice.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A short soak (the router as a child process, the real trace) runs, reports, and ends drained. */
class SoakCommandTest {
  @TempDir Path dir;

  @Test
  void shortSoakPrintsWindowsAndAVerdictAndEndsWithNothingReserved() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int code;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code = new CommandLine(new SoakCommand()).execute("--trace", "../../shared/traces/azure-llm-2023/conv.csv",
          "--duration", "8s", "--window", "4s", "--capacity", "4", "--load", "0.5", "--engines", "2",
          "--time-scale", "10", "--out", dir.toString());
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    System.out.println(out);
    assertThat(code).isZero();
    assertThat(out).contains("sending 2.00 req/s (50%)").contains("heap MiB").contains("verdict over the second half").contains("heap after GC")
        .contains("reserved [0, 0] (all zero)").contains("engine preemptions 0");
  }
}

package io.sluice.sim.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.cli.SimMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CompareCommandTest {
  private static Path trace(Path dir) throws Exception {
    Path trace = dir.resolve("trace.csv");
    StringBuilder rows = new StringBuilder("TIMESTAMP,ContextTokens,GeneratedTokens\n");
    for (int i = 0; i < 200; i++) {
      rows.append(String.format("2023-11-16 18:15:%02d.%03d0000,%d,%d%n", i / 10, (i % 10) * 100, 200 + 37 * (i % 11),
          20 + 13 * (i % 7)));
    }
    return Files.writeString(trace, rows);
  }

  @Test
  void writesTheCsvAndOnePngPerFigure(@TempDir Path dir) throws Exception {
    Path trace = trace(dir);
    Path out = dir.resolve("out");

    int code = new CommandLine(new SimMain()).execute("compare", "--trace", trace.toString(), "--pods", "2",
        "--kv-tokens", "20000", "--load", "0.5,1.0", "--seed", "1",
        "--policies", "round-robin,sluice", "--out", out.toString());

    assertThat(code).isZero();
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertThat(csv).hasSize(1 + 2 * 2);
    assertThat(csv.get(0)).startsWith("policy,load,");
    for (String figure : List.of("ttft-p50", "ttft-p99", "itl-p99", "e2e-p99", "throughput", "goodput", "preemptions",
        "queue-wait-p99", "rejections")) {
      Path png = out.resolve(figure + ".png");
      assertThat(png).exists();
      byte[] head = Files.readAllBytes(png);
      assertThat(head.length).isGreaterThan(1000);
      assertThat(new String(head, 1, 3)).isEqualTo("PNG");
    }
  }

  @Test
  void sluicesQueueSettingsReachTheRouter(@TempDir Path dir) throws Exception {
    Path trace = trace(dir);

    for (String maxLength : List.of("1000", "0")) {
      int code = new CommandLine(new SimMain()).execute("compare", "--trace", trace.toString(), "--pods", "1",
          "--kv-tokens", "4000", "--load", "1.5", "--policies", "sluice", "--queue-max-length", maxLength,
          "--queue-max-wait", "30s", "--queue-starvation-threshold", "5s", "--on-miss", "none",
          "--out", dir.resolve(maxLength).toString());
      assertThat(code).isZero();
    }

    // without an objective, a queue of 0 refuses every request that does not fit at once; a queue of 1,000 none
    assertThat(rejected(dir.resolve("1000"))).isZero();
    assertThat(rejected(dir.resolve("0"))).isPositive();
  }

  @Test
  void sluicesObjectiveIsTheSloAndRefusesPredictedMissesUnlessToldToServe(@TempDir Path dir) throws Exception {
    Path trace = trace(dir);
    for (String onMiss : List.of("reject", "serve")) {
      int code = new CommandLine(new SimMain()).execute("compare", "--trace", trace.toString(), "--pods", "1",
          "--kv-tokens", "4000", "--load", "1.5", "--policies", "sluice", "--on-miss", onMiss,
          "--out", dir.resolve(onMiss).toString());
      assertThat(code).isZero();
    }
    // Overloaded 1.5x: with the SLO as its objective Sluice refuses what it predicts would be late;
    // told to serve, it queues everything (the queue of 1,000 holds it all).
    assertThat(rejected(dir.resolve("reject"))).isPositive();
    assertThat(rejected(dir.resolve("serve"))).isZero();
  }

  private static int rejected(Path out) throws Exception {
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    int column = List.of(csv.get(0).split(",")).indexOf("rejected");
    return Integer.parseInt(csv.get(1).split(",")[column]);
  }
}

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
  @Test
  void writesTheCsvAndOnePngPerFigure(@TempDir Path dir) throws Exception {
    Path trace = dir.resolve("trace.csv");
    StringBuilder rows = new StringBuilder("TIMESTAMP,ContextTokens,GeneratedTokens\n");
    for (int i = 0; i < 200; i++) {
      rows.append(String.format("2023-11-16 18:15:%02d.%03d0000,%d,%d%n", i / 10, (i % 10) * 100, 200 + 37 * (i % 11),
          20 + 13 * (i % 7)));
    }
    Files.writeString(trace, rows);
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
}

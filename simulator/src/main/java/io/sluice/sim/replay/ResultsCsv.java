package io.sluice.sim.replay;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Writes one line per request; times in milliseconds, empty when not applicable. */
public final class ResultsCsv {
  public static final String HEADER =
      "index,target,prompt_tokens,output_tokens,stream,status,send_lag_ms,ttft_ms,tpot_ms,e2e_ms,chunks,max_gap_ms,error";

  private ResultsCsv() {
  }

  public static void write(Path file, List<RequestResult> results) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(HEADER);
      out.newLine();
      for (RequestResult r : results) {
        out.write(String.format(Locale.ROOT, "%d,%s,%d,%d,%b,%d,%s,%s,%s,%s,%d,%s,%s", r.index(), r.target(),
            r.promptTokens(), r.outputTokens(), r.stream(), r.status(), ms(r.sendLagNanos()), ms(r.ttftNanos()),
            ms(r.tpotNanos()), ms(r.e2eNanos()), r.chunks(), r.stream() ? ms(r.maxGapNanos()) : "",
            quote(r.error())));
        out.newLine();
      }
    }
  }

  private static String ms(long nanos) {
    return nanos < 0 ? "" : String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  private static String quote(String text) {
    return text.isEmpty() ? "" : '"' + text.replace("\"", "\"\"") + '"';
  }
}

package io.sluice.sim.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** Writes the results of a comparison: one CSV row per run, one PNG per figure against load. */
public final class CompareReport {
  private record Figure(String file, String title, String yAxis, ToDoubleFunction<RunResult> value) {}

  private static final List<Figure> FIGURES = List.of(
      new Figure("slo-attainment", "SLO attainment (served within TTFT and TPOT objectives / offered)", "share",
          RunResult::sloAttainment),
      new Figure("ttft-p50", "TTFT p50", "ms", RunResult::ttftP50),
      new Figure("ttft-p99", "TTFT p99", "ms", RunResult::ttftP99),
      new Figure("itl-p99", "Inter-token latency p99", "ms", RunResult::itlP99),
      new Figure("e2e-p99", "End-to-end latency p99", "ms", RunResult::e2eP99),
      new Figure("throughput", "Throughput (completed requests)", "requests/s", RunResult::throughputRps),
      new Figure("goodput", "Goodput (requests within the SLO)", "requests/s", RunResult::goodputRps),
      new Figure("preemptions", "Engine preemptions", "preemptions", r -> r.preemptions()),
      new Figure("queue-wait-p99", "Queue wait p99 (arrival to first scheduled by the engine)", "ms",
          RunResult::queueWaitP99),
      new Figure("rejections", "Rejected requests (queue full or waited past max wait)", "requests",
          r -> r.rejected()));

  private CompareReport() {}

  /** The CSV text: a header and one row per result, in the order given. */
  public static String csv(List<RunResult> results) {
    StringBuilder out = new StringBuilder(RunResult.CSV_HEADER).append('\n');
    results.forEach(r -> out.append(r.csvRow()).append('\n'));
    return out.toString();
  }

  /** Writes {@code results.csv} and one PNG per figure into {@code dir}; returns the files written. */
  public static List<Path> write(List<RunResult> results, Path dir, String title) throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    Path csv = dir.resolve("results.csv");
    Files.writeString(csv, csv(results), StandardCharsets.UTF_8);
    written.add(csv);
    System.setProperty("java.awt.headless", "true");
    for (Figure figure : FIGURES) {
      XYChart chart = new XYChartBuilder().width(900).height(480).title(figure.title() + " - " + title)
          .xAxisTitle("load (fraction of measured cluster capacity)").yAxisTitle(figure.yAxis()).build();
      chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
      chart.getStyler().setYAxisDecimalPattern("#,##0.##");
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      for (RunResult r : results) {
        double v = figure.value().applyAsDouble(r);
        if (!Double.isNaN(v)) {
          series.computeIfAbsent(r.policy(), k -> new ArrayList<>()).add(new double[] {r.load(), v});
        }
      }
      for (Map.Entry<String, List<double[]>> s : series.entrySet()) {
        double[] x = s.getValue().stream().mapToDouble(p -> p[0]).toArray();
        double[] y = s.getValue().stream().mapToDouble(p -> p[1]).toArray();
        chart.addSeries(s.getKey(), x, y);
      }
      Path png = dir.resolve(figure.file() + ".png");
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
      written.add(png);
    }
    return written;
  }

  /** A Markdown table of the results. */
  public static String markdown(List<RunResult> results) {
    StringBuilder out = new StringBuilder("| policy | load | SLO attainment | missed TTFT | missed TPOT | refused"
        + " | refused tokens | refused size | TTFT p50 | TTFT p99 | ITL p99 | queue wait p99 | req/s | goodput req/s"
        + " | preemptions |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (RunResult r : results) {
      out.append(String.format(Locale.ROOT,
          "| %s | %.2f | **%.1f%%** | %d | %d | %d | %.1f%% | %s | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %d |%n",
          r.policy(), r.load(), 100 * r.sloAttainment(), r.missedTtft(), r.missedTpot(), r.rejected(),
          100 * r.rejectedTokenShare(), times(r.rejectedSize()), r.ttftP50(), r.ttftP99(), r.itlP99(), r.queueWaitP99(),
          r.throughputRps(), r.goodputRps(), r.preemptions()));
    }
    return out.toString();
  }

  private static String times(double ratio) {
    return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2fx", ratio);
  }
}

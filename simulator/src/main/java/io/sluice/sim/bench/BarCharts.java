package io.sluice.sim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Grouped bar charts written as PNG (XChart, headless): one group per system, one bar per series.
 * Figures that were not measured (NaN) are left out of their series.
 */
final class BarCharts {
  private final String title;
  private final String yAxis;
  private final Map<String, Map<String, Double>> series = new LinkedHashMap<>();

  BarCharts(String title, String yAxis) {
    this.title = title;
    this.yAxis = yAxis;
  }

  void add(String seriesName, String system, double value) {
    if (!Double.isNaN(value)) {
      series.computeIfAbsent(seriesName, k -> new LinkedHashMap<>()).put(system, value);
    }
  }

  void write(Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    CategoryChart chart = new CategoryChartBuilder().width(900).height(480).title(title).yAxisTitle(yAxis).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    for (Map.Entry<String, Map<String, Double>> s : series.entrySet()) {
      List<String> systems = new ArrayList<>(s.getValue().keySet());
      List<Double> values = new ArrayList<>(s.getValue().values());
      chart.addSeries(s.getKey(), systems, values);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}

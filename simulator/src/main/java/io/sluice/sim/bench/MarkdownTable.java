package io.sluice.sim.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Markdown table built row by row; numbers are formatted by the caller. */
final class MarkdownTable {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  MarkdownTable(String... header) {
    this.header = List.of(header);
  }

  void row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object c : cells) {
      row.add(c instanceof Double d ? fmt(d) : String.valueOf(c));
    }
    rows.add(row);
  }

  static String fmt(double d) {
    if (Double.isNaN(d)) {
      return "-";
    }
    return String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%.0f" : Math.abs(d) >= 10 ? "%.1f" : "%.2f", d);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("| ").append(String.join(" | ", header)).append(" |\n|");
    b.append("---|".repeat(header.size())).append('\n');
    for (List<String> row : rows) {
      b.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    return b.toString();
  }
}

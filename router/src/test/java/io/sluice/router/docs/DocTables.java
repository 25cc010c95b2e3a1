package io.sluice.router.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the reference tables of an operator doc. A table is marked by an HTML comment on the line
 * before it, {@code <!-- fields: NAME -->}, invisible on GitHub. Each row's first cell names one
 * or more entries in backticks; the other cells are kept by their header (lower case).
 */
final class DocTables {
  private static final Pattern MARKER = Pattern.compile("<!--\\s*fields:\\s*(.+?)\\s*-->");
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  /** One documented entry: its name and the row it was found in. */
  record Entry(String name, Map<String, String> cells, int line) {}

  private DocTables() {}

  /** The docs directory, from the router module (surefire's working directory) or the repository root. */
  static Path docs() {
    for (Path candidate : List.of(Path.of("../docs"), Path.of("docs"))) {
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("docs/ not found from " + Path.of("").toAbsolutePath());
  }

  static String read(String file) {
    try {
      return Files.readString(docs().resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Entries of every marked table, by marker name. */
  static Map<String, List<Entry>> tables(String markdown) {
    Map<String, List<Entry>> tables = new LinkedHashMap<>();
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher marker = MARKER.matcher(lines[i].strip());
      if (!marker.matches()) {
        continue;
      }
      List<Entry> entries = tables.computeIfAbsent(marker.group(1), key -> new ArrayList<>());
      int row = i + 1;
      if (row >= lines.length || !lines[row].strip().startsWith("|")) {
        throw new IllegalStateException("line " + (i + 1) + ": a fields marker must be followed by a table");
      }
      List<String> header = cells(lines[row]).stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
      for (row += 2; row < lines.length && lines[row].strip().startsWith("|"); row++) {
        List<String> cells = cells(lines[row]);
        Map<String, String> byHeader = new LinkedHashMap<>();
        for (int c = 0; c < Math.min(cells.size(), header.size()); c++) {
          byHeader.put(header.get(c), cells.get(c));
        }
        Matcher code = CODE.matcher(cells.get(0));
        while (code.find()) {
          entries.add(new Entry(code.group(1), byHeader, row + 1));
        }
      }
    }
    return tables;
  }

  /** The cells of a table row; a {@code \|} inside a cell is not a separator. */
  private static List<String> cells(String line) {
    String body = line.strip();
    body = body.substring(1, body.endsWith("|") ? body.length() - 1 : body.length());
    List<String> cells = new ArrayList<>();
    for (String cell : body.split("(?<!\\\\)\\|", -1)) {
      cells.add(cell.strip());
    }
    return cells;
  }

  /** The backticked values of a cell. */
  static List<String> codes(String cell) {
    List<String> out = new ArrayList<>();
    Matcher code = CODE.matcher(cell == null ? "" : cell);
    while (code.find()) {
      out.add(code.group(1));
    }
    return out;
  }
}

package io.sluice.sim.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Reads a trace in the format of the Azure LLM inference trace:
 * {@code TIMESTAMP,ContextTokens,GeneratedTokens}, one request per line. Timestamps are
 * {@code yyyy-MM-dd HH:mm:ss[.fraction]} (up to nanoseconds) or plain seconds; columns are found by
 * their header names, or taken in that order when there is no header. Records come back sorted
 * by arrival, with offsets relative to the first arrival.
 */
public final class TraceReader {
  private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd HH:mm:ss")
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
      .toFormatter(Locale.ROOT);

  private TraceReader() {
  }

  public static List<TraceRecord> read(Path file) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in, file.toString());
    }
  }

  /** Reads every record of {@code in}; {@code source} names it in error messages. */
  public static List<TraceRecord> read(Reader in, String source) throws IOException {
    BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
    int[] columns = {0, 1, 2};
    List<long[]> raw = new ArrayList<>();
    String line;
    int number = 0;
    while ((line = lines.readLine()) != null) {
      number++;
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      String[] fields = trimmed.split(",", -1);
      if (number == 1 && !Character.isDigit(trimmed.charAt(0))) {
        columns = header(fields, source);
        continue;
      }
      raw.add(parse(fields, columns, source, number));
    }
    if (raw.isEmpty()) {
      throw new IllegalArgumentException(source + ": no records");
    }
    raw.sort(Comparator.comparingLong(r -> r[0]));
    long first = raw.get(0)[0];
    List<TraceRecord> records = new ArrayList<>(raw.size());
    for (long[] r : raw) {
      records.add(new TraceRecord(r[0] - first, (int) r[1], (int) r[2]));
    }
    return records;
  }

  private static int[] header(String[] fields, String source) {
    int[] columns = {-1, -1, -1};
    String[] names = {"timestamp", "contexttokens", "generatedtokens"};
    for (int i = 0; i < fields.length; i++) {
      String name = fields[i].strip().toLowerCase(Locale.ROOT);
      for (int c = 0; c < names.length; c++) {
        if (name.equals(names[c])) {
          columns[c] = i;
        }
      }
    }
    for (int c = 0; c < names.length; c++) {
      if (columns[c] < 0) {
        throw new IllegalArgumentException(source + ": header has no column " + names[c]);
      }
    }
    return columns;
  }

  private static long[] parse(String[] fields, int[] columns, String source, int number) {
    try {
      long at = timestampNanos(fields[columns[0]].strip());
      long prompt = Integer.parseInt(fields[columns[1]].strip());
      long output = Integer.parseInt(fields[columns[2]].strip());
      if (prompt < 0 || output < 0) {
        throw new IllegalArgumentException("negative token count");
      }
      return new long[] {at, prompt, output};
    } catch (ArrayIndexOutOfBoundsException | DateTimeParseException | IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ":" + number + ": cannot parse: " + e.getMessage(), e);
    }
  }

  private static long timestampNanos(String text) {
    if (text.indexOf('-') < 0) {
      return Math.round(Double.parseDouble(text) * 1e9);
    }
    LocalDateTime t = LocalDateTime.parse(text, TIMESTAMP);
    return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L + t.getNano();
  }
}

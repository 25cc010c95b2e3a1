package io.sluice.router.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * A reader of the Prometheus text exposition format (version 0.0.4), as engines' and the router's
 * own {@code /metrics} pages are written: one sample per line, {@code name{label="value",...} value
 * [timestamp]}. Comments, {@code # HELP} and {@code # TYPE} lines are skipped; so is any line it
 * cannot read (a page is read as far as it can be, never refused).
 */
public final class PrometheusText {

  /** One sample line. {@code timestampMillis} is empty when the line has none. */
  public record Sample(String name, Map<String, String> labels, double value, OptionalLong timestampMillis) {

    public String label(String label) {
      return labels.get(label);
    }

    /** True when this sample carries every given label pair ({@code "k1", "v1", "k2", "v2", ...}). */
    public boolean has(String... labelPairs) {
      if (labelPairs.length % 2 != 0) {
        throw new IllegalArgumentException("label pairs come in twos: " + String.join(",", labelPairs));
      }
      for (int i = 0; i < labelPairs.length; i += 2) {
        if (!labelPairs[i + 1].equals(labels.get(labelPairs[i]))) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = Collections.unmodifiableList(samples);
  }

  public static PrometheusText parse(String text) {
    return parse(text, name -> true);
  }

  /** Reads only the samples whose name {@code names} accepts (the others' labels are never built). */
  public static PrometheusText parse(String text, Predicate<String> names) {
    List<Sample> out = new ArrayList<>();
    int start = 0;
    int length = text.length();
    while (start < length) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = length;
      }
      int lineEnd = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
      Sample sample = new Line(text, start, lineEnd).sample(names);
      if (sample != null) {
        out.add(sample);
      }
      start = end + 1;
    }
    return new PrometheusText(out);
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The samples named {@code name} that carry every given label pair, in page order. */
  public List<Sample> samples(String name, String... labelPairs) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (s.name.equals(name) && s.has(labelPairs)) {
        out.add(s);
      }
    }
    return out;
  }

  /** The sum of the values of {@link #samples(String, String...)}; 0 when there are none. */
  public double sum(String name, String... labelPairs) {
    double sum = 0;
    for (Sample s : samples(name, labelPairs)) {
      sum += s.value;
    }
    return sum;
  }

  /** A cursor over one line; every method returns null (or -1) where the line stops making sense. */
  private static final class Line {
    private final String text;
    private final int end;
    private int at;

    Line(String text, int start, int end) {
      this.text = text;
      this.at = start;
      this.end = end;
    }

    Sample sample(Predicate<String> names) {
      skipBlanks();
      if (at >= end || text.charAt(at) == '#') {
        return null;
      }
      String name = metricName();
      if (name == null || at < end && "{ \t".indexOf(text.charAt(at)) < 0 || !names.test(name)) {
        return null;
      }
      skipBlanks();
      Map<String, String> labels = Map.of();
      if (at < end && text.charAt(at) == '{') {
        at++;
        labels = labels();
        if (labels == null) {
          return null;
        }
      }
      skipBlanks();
      String valueToken = token();
      if (valueToken == null) {
        return null;
      }
      double value = value(valueToken);
      if (Double.isNaN(value) && !valueToken.equalsIgnoreCase("nan")) {
        return null;
      }
      skipBlanks();
      OptionalLong timestamp = OptionalLong.empty();
      String timestampToken = token();
      if (timestampToken != null) {
        try {
          timestamp = OptionalLong.of(Long.parseLong(timestampToken));
        } catch (NumberFormatException e) {
          return null;
        }
        skipBlanks();
        if (at < end) {
          return null;
        }
      }
      return new Sample(name, labels, value, timestamp);
    }

    private void skipBlanks() {
      while (at < end && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
        at++;
      }
    }

    private String metricName() {
      int from = at;
      while (at < end && nameChar(text.charAt(at), at == from, true)) {
        at++;
      }
      return at == from ? null : text.substring(from, at);
    }

    private String labelName() {
      int from = at;
      while (at < end && nameChar(text.charAt(at), at == from, false)) {
        at++;
      }
      return at == from ? null : text.substring(from, at);
    }

    private static boolean nameChar(char c, boolean first, boolean colon) {
      return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || colon && c == ':'
          || !first && c >= '0' && c <= '9';
    }

    /** After the '{': {@code name="value"} pairs up to the closing '}', a trailing comma allowed. */
    private Map<String, String> labels() {
      Map<String, String> labels = new LinkedHashMap<>();
      while (true) {
        skipBlanks();
        if (at < end && text.charAt(at) == '}') {
          at++;
          return labels;
        }
        String name = labelName();
        skipBlanks();
        if (name == null || at >= end || text.charAt(at) != '=') {
          return null;
        }
        at++;
        skipBlanks();
        String value = quoted();
        if (value == null || labels.put(name, value) != null) {
          return null;
        }
        skipBlanks();
        if (at < end && text.charAt(at) == ',') {
          at++;
        } else if (at >= end || text.charAt(at) != '}') {
          return null;
        }
      }
    }

    /** A double-quoted label value with the format's three escapes: \\, \" and \n. */
    private String quoted() {
      if (at >= end || text.charAt(at) != '"') {
        return null;
      }
      at++;
      StringBuilder value = new StringBuilder();
      while (at < end) {
        char c = text.charAt(at++);
        if (c == '"') {
          return value.toString();
        }
        if (c == '\\' && at < end) {
          char escaped = text.charAt(at++);
          switch (escaped) {
            case 'n' -> value.append('\n');
            case '\\', '"' -> value.append(escaped);
            default -> value.append('\\').append(escaped);
          }
        } else {
          value.append(c);
        }
      }
      return null;
    }

    private String token() {
      int from = at;
      while (at < end && text.charAt(at) != ' ' && text.charAt(at) != '\t') {
        at++;
      }
      return at == from ? null : text.substring(from, at);
    }

    /** Go's ParseFloat as Prometheus uses it; NaN for anything else (Java's "1d", "0x1p3", "Infinity"). */
    private static double value(String token) {
      switch (token.toLowerCase(Locale.ROOT)) {
        case "nan":
          return Double.NaN;
        case "+inf", "inf":
          return Double.POSITIVE_INFINITY;
        case "-inf":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
      for (int i = 0; i < token.length(); i++) {
        char c = token.charAt(i);
        if (!(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
          return Double.NaN;
        }
      }
      try {
        return Double.parseDouble(token);
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
  }
}

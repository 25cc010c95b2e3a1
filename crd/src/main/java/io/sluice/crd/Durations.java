package io.sluice.crd;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written the Kubernetes way: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}. */
public final class Durations {
  /**
   * Every string {@link #parse} reads and no other: whole numbers of {@code ms}, {@code s}, {@code m}
   * and {@code h}, one after the other, nothing around them. The chart's values schema and the CRD's
   * rule use it as it is (a test runs a table of durations through all three).
   */
  public static final String PATTERN = "^([0-9]+(ms|s|m|h))+$";

  /**
   * The CRD schema's check of a duration (a CEL rule: the generator drops patterns on fields whose
   * schema comes from {@code @SchemaFrom}), the same grammar {@link #parse} reads.
   */
  public static final String SCHEMA_RULE = "self.matches('" + Durations.PATTERN + "')";
  public static final String SCHEMA_MESSAGE = "must be a duration such as 500ms, 30s, 5m or 1h30m";

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Durations() {}

  /**
   * Returns the duration, or throws {@link IllegalArgumentException} saying what is accepted.
   * Nothing is trimmed or guessed: what the schemas' {@link #PATTERN} refuses, this refuses too.
   */
  public static Duration parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty duration; write e.g. 500ms, 30s, 5m or 1h");
    }
    Matcher matcher = PART.matcher(text);
    Duration total = Duration.ZERO;
    int position = 0;
    while (position < text.length()) {
      if (!matcher.find(position) || matcher.start() != position) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration; write e.g. 500ms, 30s, 5m or 1h30m");
      }
      try {
        long amount = Long.parseLong(matcher.group(1));
        total = total.plus(switch (matcher.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> throw new IllegalStateException(matcher.group(2));
        });
        total.toNanos(); // the router counts in nanoseconds
      } catch (ArithmeticException | NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' is too long a duration");
      }
      position = matcher.end();
    }
    return total;
  }

  /** The shortest form {@link #parse} reads back to the same value. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 3_600_000 == 0 && millis > 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0 && millis > 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}

package io.sluice.scoring;

/** Defaults and range checks for plugin argument records, for use in compact constructors. */
public final class PluginArgs {
  private PluginArgs() {}

  /** {@code value}, or {@code fallback} when absent; must be at least {@code min}. */
  public static int atLeast(String argument, Integer value, int min, int fallback) {
    int v = value == null ? fallback : value;
    if (v < min) {
      throw new InvalidArgumentException(argument, "must be at least " + min + ", got " + v);
    }
    return v;
  }

  /** {@code value}, or {@code fallback} when absent; must be at least {@code min}. */
  public static long atLeast(String argument, Long value, long min, long fallback) {
    long v = value == null ? fallback : value;
    if (v < min) {
      throw new InvalidArgumentException(argument, "must be at least " + min + ", got " + v);
    }
    return v;
  }

  /** {@code value}, or {@code fallback} when absent; must not exceed {@code max}. */
  public static int atMost(String argument, int value, int max) {
    if (value > max) {
      throw new InvalidArgumentException(argument, "must be at most " + max + ", got " + value);
    }
    return value;
  }
}

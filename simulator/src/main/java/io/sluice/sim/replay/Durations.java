package io.sluice.sim.replay;

import java.time.Duration;

/** Parses durations written as {@code 500ms}, {@code 20s}, {@code 2m} or an ISO-8601 {@code PT20S}. */
public final class Durations {
  private Durations() {
  }

  public static Duration parse(String text) {
    String t = text.strip();
    if (t.startsWith("P") || t.startsWith("p")) {
      return Duration.parse(t);
    }
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("duration must end in ms, s, m or h: " + text);
    };
  }
}

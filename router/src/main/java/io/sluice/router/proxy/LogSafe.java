package io.sluice.router.proxy;

/**
 * Client-supplied text made safe for a log line: control characters (line breaks among them),
 * backslashes, spaces, quotes and {@code =} are escaped, so a value can neither forge a line nor
 * break the line's {@code key=value} fields, and it is cut at a length so one request cannot
 * write a line of any size.
 */
final class LogSafe {
  /** The longest a client-supplied field may be in a log line. */
  static final int MAX_FIELD = 200;

  private LogSafe() {}

  /** {@code value} escaped and cut to {@link #MAX_FIELD} characters; {@code -} for null. */
  static String field(String value) {
    return field(value, MAX_FIELD);
  }

  static String field(String value, int max) {
    if (value == null) {
      return "-";
    }
    int length = Math.min(value.length(), max);
    StringBuilder out = null;
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (needsEscape(c)) {
        if (out == null) {
          out = new StringBuilder(length + 16).append(value, 0, i);
        }
        if (c == '\\') {
          out.append("\\\\");
        } else {
          out.append(c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
        }
      } else if (out != null) {
        out.append(c);
      }
    }
    String kept = out == null ? value.substring(0, length) : out.toString();
    return value.length() > max ? kept + "...(" + (value.length() - max) + " more)" : kept;
  }

  private static boolean needsEscape(char c) {
    return c < 0x21 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\\' || c == '"' || c == '='
        || c == '\u2028' || c == '\u2029';
  }
}

package io.sluice.router.api;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a few small text fields (such as {@code model}) of a {@code multipart/form-data} body
 * (RFC 7578) that is already in memory, bounded by the body limit: no copy of the body, no part
 * decoded but the ones asked for, each at most {@value #MAX_VALUE} bytes. File parts are skipped.
 */
public final class MultipartFields {
  static final int MAX_VALUE = 1024;

  private MultipartFields() {}

  /** The boundary of a {@code multipart/form-data} content type; null when it is not one or has none. */
  public static String boundary(String contentType) {
    if (contentType == null) {
      return null;
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("multipart/form-data")) {
      return null;
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      if (parameter.regionMatches(true, 0, "boundary=", 0, 9)) {
        String value = parameter.substring(9).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return value.isEmpty() || value.length() > 70 ? null : value;
      }
    }
    return null;
  }

  /**
   * The text fields among {@code names}, first occurrence each.
   *
   * @throws ApiException 400 when the body is not a well-formed form with this boundary
   */
  public static Map<String, String> read(byte[] body, String boundary, Set<String> names) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int[] nextTable = table(next);
    int at = indexOf(body, delimiter, table(delimiter), 0);
    if (at < 0) {
      throw malformed("the boundary of its Content-Type never appears");
    }
    Map<String, String> found = new HashMap<>();
    while (found.size() < names.size()) {
      int after = at + delimiter.length;
      if (startsWith(body, after, "--")) {
        return found; // the closing delimiter
      }
      int lineEnd = indexOf(body, CRLF, CRLF_TABLE, after);
      if (lineEnd < 0) {
        throw malformed("a boundary line does not end");
      }
      int headersStart = lineEnd + 2;
      int headersEnd = startsWith(body, headersStart, "\r\n") ? headersStart
          : indexOf(body, BLANK_LINE, BLANK_LINE_TABLE, headersStart);
      if (headersEnd < 0) {
        throw malformed("a part's headers do not end");
      }
      int content = headersEnd == headersStart ? headersStart + 2 : headersEnd + 4;
      int end = indexOf(body, next, nextTable, content);
      if (end < 0) {
        throw malformed("a part is not closed by the boundary");
      }
      String name = fieldName(new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1));
      if (name != null && names.contains(name) && !found.containsKey(name)) {
        if (end - content > MAX_VALUE) {
          throw new ApiException(OpenAiError.badRequest(name, "'" + name + "' is longer than " + MAX_VALUE
              + " bytes."));
        }
        found.put(name, new String(body, content, end - content, StandardCharsets.UTF_8));
      }
      at = end + 2;
    }
    return found;
  }

  private static final byte[] CRLF = {'\r', '\n'};
  private static final int[] CRLF_TABLE = table(CRLF);
  private static final byte[] BLANK_LINE = {'\r', '\n', '\r', '\n'};
  private static final int[] BLANK_LINE_TABLE = table(BLANK_LINE);

  /** The {@code name} of a text part's Content-Disposition; null for a file part or none. */
  private static String fieldName(String headers) {
    for (String line : headers.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon < 0 || !line.substring(0, colon).trim().equalsIgnoreCase("content-disposition")) {
        continue;
      }
      String name = null;
      for (String parameter : line.substring(colon + 1).split(";")) {
        String p = parameter.trim();
        String lower = p.toLowerCase(Locale.ROOT);
        if (lower.startsWith("filename")) {
          return null;
        }
        if (lower.startsWith("name=")) {
          name = p.substring(5).trim();
          if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            name = name.substring(1, name.length() - 1);
          }
        }
      }
      return name;
    }
    return null;
  }

  private static boolean startsWith(byte[] body, int at, String text) {
    if (at + text.length() > body.length) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (body[at + i] != text.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Knuth-Morris-Pratt: linear in the body whatever it holds (a body of dashes cannot make it quadratic). */
  private static int indexOf(byte[] body, byte[] needle, int[] table, int from) {
    int matched = 0;
    for (int i = Math.max(0, from); i < body.length; i++) {
      while (matched > 0 && body[i] != needle[matched]) {
        matched = table[matched - 1];
      }
      if (body[i] == needle[matched]) {
        matched++;
        if (matched == needle.length) {
          return i - needle.length + 1;
        }
      }
    }
    return -1;
  }

  private static int[] table(byte[] needle) {
    int[] table = new int[needle.length];
    int k = 0;
    for (int i = 1; i < needle.length; i++) {
      while (k > 0 && needle[i] != needle[k]) {
        k = table[k - 1];
      }
      if (needle[i] == needle[k]) {
        k++;
      }
      table[i] = k;
    }
    return table;
  }

  private static ApiException malformed(String why) {
    return new ApiException(OpenAiError.badRequest(null, "We could not read the multipart/form-data body of your "
        + "request: " + why + "."));
  }
}

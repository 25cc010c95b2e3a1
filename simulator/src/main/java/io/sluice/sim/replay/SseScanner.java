package io.sluice.sim.replay;

/**
 * Splits a server-sent event stream of chat completion chunks, fed in arbitrary pieces, into
 * events and classifies them: content chunks (a non-empty {@code delta.content}), an error event,
 * and the final {@code [DONE]}. Role-only and usage-only chunks are not content.
 */
final class SseScanner {
  private static final String CONTENT = "\"content\":\"";
  private final StringBuilder pending = new StringBuilder();
  private boolean done;
  private String error = "";

  /** Feeds the next piece of the body; returns how many content chunks it completed. */
  int feed(String piece) {
    pending.append(piece);
    int contents = 0;
    int from = 0;
    int end;
    while ((end = eventEnd(from)) >= 0) {
      contents += classify(pending.substring(from, end));
      from = end;
    }
    pending.delete(0, from);
    return contents;
  }

  boolean done() {
    return done;
  }

  /** The first error event's data, or empty. */
  String error() {
    return error;
  }

  /**
   * Just past the first event ending at or after {@code from}, or -1: lines end in LF, CRLF or CR
   * (the SSE spec's three) and an empty line ends an event. A CR-ended event is complete at its CR;
   * if the LF of its CRLF comes in the next piece, it reads as an empty event, which counts nothing.
   */
  private int eventEnd(int from) {
    boolean lineStart = true;
    for (int i = from; i < pending.length(); i++) {
      char c = pending.charAt(i);
      if (c == '\n' && i > from && pending.charAt(i - 1) == '\r') {
        continue; // the LF of a CRLF
      }
      if (c != '\r' && c != '\n') {
        lineStart = false;
      } else if (!lineStart) {
        lineStart = true;
      } else {
        return c == '\r' && i + 1 < pending.length() && pending.charAt(i + 1) == '\n' ? i + 2 : i + 1;
      }
    }
    return -1;
  }

  private int classify(String event) {
    int contents = 0;
    for (String line : event.split("\r\n|\r|\n")) {
      if (!line.startsWith("data:")) {
        continue;
      }
      String data = line.substring(5).strip();
      if (data.equals("[DONE]")) {
        done = true;
      } else if (data.startsWith("{\"error\"")) {
        if (error.isEmpty()) {
          error = data.length() > 200 ? data.substring(0, 200) : data;
        }
      } else {
        int at = data.indexOf(CONTENT);
        if (at >= 0 && at + CONTENT.length() < data.length() && data.charAt(at + CONTENT.length()) != '"') {
          contents++;
        }
      }
    }
    return contents;
  }
}

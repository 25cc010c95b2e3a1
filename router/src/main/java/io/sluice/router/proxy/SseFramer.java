package io.sluice.router.proxy;

/**
 * Finds where server-sent events end in a byte stream fed chunk by chunk, by the WHATWG rules: a
 * line ends at LF, CRLF or CR, and an empty line ends an event. Works on bytes, so a UTF-8
 * character split across chunks is never looked into. Plain Java, one instance per stream, one
 * thread at a time.
 *
 * <p>A CR that ends a chunk ends its line at once (a CR-framed event is complete there, and must not
 * wait for the next chunk); if the next chunk starts with LF, that LF is the rest of the same line
 * end, not an empty line. When such a CR ended an event, its LF belongs to that event, already
 * handed on: {@link #continuesLastEvent} says so, so that it goes wherever the event went.
 */
final class SseFramer {
  /** Nothing on the current line yet: a line end here is an empty line. */
  private boolean atLineStart = true;
  /** The last byte seen was a CR, so an LF now is the second half of its CRLF. */
  private boolean afterCr;
  /** ... and that CR ended an event, at the end of the last chunk. */
  private boolean eventEndedOnCr;

  /**
   * Called at the start of a chunk, {@code data[from, to)}: true if its first byte is the LF of a
   * CRLF whose CR ended the last event (the caller treats that byte as part of that event; the next
   * {@link #eventEnd} call then starts after it).
   */
  boolean continuesLastEvent(byte[] data, int from, int to) {
    if (from >= to) {
      return false; // an empty chunk: the next one may still bring the LF
    }
    boolean continues = eventEndedOnCr && data[from] == '\n';
    eventEndedOnCr = false;
    if (continues) {
      afterCr = false;
    }
    return continues;
  }

  /**
   * The index just past the first event that ends in {@code data[from, to)} (its blank line
   * included), or -1 if the event goes on past {@code to}; either way the scan resumes from there.
   */
  int eventEnd(byte[] data, int from, int to) {
    if (from < to) {
      eventEndedOnCr = false;
    }
    for (int i = from; i < to; i++) {
      byte b = data[i];
      if (b == '\n' && afterCr) {
        afterCr = false; // the LF of a CRLF: its CR ended the line
        continue;
      }
      afterCr = b == '\r';
      if (b != '\r' && b != '\n') {
        atLineStart = false;
      } else if (!atLineStart) {
        atLineStart = true;
      } else if (b == '\n') {
        return i + 1;
      } else if (i + 1 < to) {
        afterCr = false;
        return data[i + 1] == '\n' ? i + 2 : i + 1;
      } else {
        eventEndedOnCr = true;
        return i + 1;
      }
    }
    return -1;
  }
}

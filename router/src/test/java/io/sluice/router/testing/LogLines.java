package io.sluice.router.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;

/** Reading what a logback {@link ListAppender} captured while the router keeps logging. */
public final class LogLines {
  private LogLines() {}

  /**
   * A copy of the events captured so far. The event loop appends while a test reads, and
   * {@code AppenderBase} appends under the appender's own lock: iterating {@code list} directly
   * can throw ConcurrentModificationException.
   */
  public static List<ILoggingEvent> of(ListAppender<ILoggingEvent> appender) {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }
}

package io.sluice.router.proxy;

import io.sluice.router.config.RouterSettings;

/**
 * What the one timer of an attempt does when it fires: a pure function of the time and of what the
 * attempt has seen. {@link AttemptTimer} keeps the timer (re-armed when it fires rather than on
 * every chunk) and carries the answer out.
 *
 * <p>Until the pod answers, the timer enforces {@code responseTimeout} from the send; then {@code
 * idleTimeout} between chunks, except while the router itself holds the pod back because the
 * client reads slowly (then the pod is not idle, but the client may hold it back for {@code
 * clientWriteTimeout} only); and throughout, {@code maxStreamDuration} from the request's arrival
 * when set. Times are {@link System#nanoTime()} values, passed in.
 *
 * @param maxStreamDurationMs {@link #UNLIMITED} when unset
 */
record AttemptTimeouts(long responseTimeoutMs, long idleTimeoutMs, long clientWriteTimeoutMs,
    long maxStreamDurationMs) {

  /** No {@code maxStreamDuration}. */
  static final long UNLIMITED = Long.MAX_VALUE;

  static AttemptTimeouts of(RouterSettings settings) {
    return new AttemptTimeouts(settings.responseTimeout().toMillis(), settings.idleTimeout().toMillis(),
        settings.clientWriteTimeout().toMillis(),
        settings.maxStreamDuration() == null ? UNLIMITED : settings.maxStreamDuration().toMillis());
  }

  /** What a firing timer does. */
  sealed interface Expiry {
    /** Nothing is due yet: fire again after {@code delayMs}. */
    record Rearm(long delayMs) implements Expiry { }

    /** The pod did not answer within {@code responseTimeout}: reset it (the client gets 504). */
    record NoAnswer() implements Expiry { }

    /** The pod sent nothing for {@code idleTimeout}: reset it (the client's stream ends with an error). */
    record Silent() implements Expiry { }

    /** The router ends the request itself ({@code max_stream_duration}, {@code client_write_timeout}); the pod is not blamed. */
    record CutOff(String reason) implements Expiry { }
  }

  static final Expiry NO_ANSWER = new Expiry.NoAnswer();
  static final Expiry SILENT = new Expiry.Silent();
  static final Expiry MAX_STREAM_DURATION = new Expiry.CutOff("max_stream_duration");
  static final Expiry CLIENT_WRITE_TIMEOUT = new Expiry.CutOff("client_write_timeout");

  /**
   * @param startNanos when the request arrived
   * @param answered whether the pod's response headers came
   * @param sentNanos when the request was sent to the pod
   * @param paused whether the router holds the pod's response back for a slow client, since {@code pausedSinceNanos}
   * @param lastChunkNanos when the pod last sent something (its headers, or a chunk)
   */
  Expiry onFire(long now, long startNanos, boolean answered, long sentNanos, boolean paused, long pausedSinceNanos,
      long lastChunkNanos) {
    if (untilStreamDeadlineMs(now, startNanos) <= 0) {
      return MAX_STREAM_DURATION;
    }
    if (!answered) {
      long leftMs = responseTimeoutMs - (now - sentNanos) / 1_000_000;
      return leftMs <= 0 ? NO_ANSWER : new Expiry.Rearm(leftMs);
    }
    if (paused) {
      long stalledMs = (now - pausedSinceNanos) / 1_000_000;
      return stalledMs >= clientWriteTimeoutMs ? CLIENT_WRITE_TIMEOUT
          : new Expiry.Rearm(Math.min(idleTimeoutMs, clientWriteTimeoutMs - stalledMs));
    }
    long silentMs = (now - lastChunkNanos) / 1_000_000;
    return silentMs >= idleTimeoutMs ? SILENT : new Expiry.Rearm(idleTimeoutMs - silentMs);
  }

  /** The delay to arm the timer with: {@code requestedMs}, but never past {@code maxStreamDuration}, and at least 1 ms. */
  long delayMs(long requestedMs, long now, long startNanos) {
    return Math.max(1, Math.min(requestedMs, untilStreamDeadlineMs(now, startNanos)));
  }

  /** Milliseconds left of {@code maxStreamDuration} (from the request's arrival); far ahead when unset. */
  long untilStreamDeadlineMs(long now, long startNanos) {
    if (maxStreamDurationMs == UNLIMITED) {
      return Long.MAX_VALUE;
    }
    return maxStreamDurationMs - (now - startNanos) / 1_000_000;
  }
}

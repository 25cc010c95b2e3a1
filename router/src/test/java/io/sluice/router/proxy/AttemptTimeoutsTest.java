package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.config.RouterSettings;
import io.sluice.router.proxy.AttemptTimeouts.Expiry;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attempt timer as {@link Forwarder} ran it inline: one row per case, times in milliseconds
 * after the request's arrival (the clock is the row's {@code now}). responseTimeout 1000 ms,
 * idleTimeout 500 ms, clientWriteTimeout 300 ms, maxStreamDuration 10 s. The end-to-end behaviour
 * is held by {@link UpstreamFailuresTest} and {@link SlowClientTest}.
 */
class AttemptTimeoutsTest {
  private static final AttemptTimeouts TIMEOUTS = new AttemptTimeouts(1000, 500, 300, 10_000);
  private static final AttemptTimeouts ENDLESS = new AttemptTimeouts(1000, 500, 300, AttemptTimeouts.UNLIMITED);

  private static final boolean ANSWERED = true;
  private static final boolean WAITING = false;
  private static final boolean PAUSED = true;
  private static final boolean FLOWING = false;
  private static final long NEVER = 0;

  static Stream<Arguments> firings() {
    return Stream.of(
        // now, answered, sent, paused, paused since, last chunk -> expiry
        row("no answer, time left", 900, WAITING, 100, FLOWING, NEVER, NEVER, new Expiry.Rearm(200)),
        row("no answer for responseTimeout", 1100, WAITING, 100, FLOWING, NEVER, NEVER, AttemptTimeouts.NO_ANSWER),
        row("no answer, just past", 1101, WAITING, 100, FLOWING, NEVER, NEVER, AttemptTimeouts.NO_ANSWER),
        row("a retry's own responseTimeout", 1500, WAITING, 1000, FLOWING, NEVER, NEVER, new Expiry.Rearm(500)),
        row("answered, a chunk lately", 1000, ANSWERED, 100, FLOWING, NEVER, 800, new Expiry.Rearm(300)),
        row("answered, silent for idleTimeout", 1300, ANSWERED, 100, FLOWING, NEVER, 800, AttemptTimeouts.SILENT),
        row("answered, silent past responseTimeout is only idle", 2000, ANSWERED, 100, FLOWING, NEVER, 1900,
            new Expiry.Rearm(400)),
        row("paused, the client may still read", 1100, ANSWERED, 100, PAUSED, 1000, 200, new Expiry.Rearm(200)),
        row("paused, not idle however long the pod waits", 1200, ANSWERED, 100, PAUSED, 1000, 100,
            new Expiry.Rearm(100)),
        row("paused for clientWriteTimeout", 1300, ANSWERED, 100, PAUSED, 1000, 100,
            AttemptTimeouts.CLIENT_WRITE_TIMEOUT),
        row("paused just now: clientWriteTimeout ahead", 1000, ANSWERED, 100, PAUSED, 1000, 900, new Expiry.Rearm(300)),
        row("past maxStreamDuration, answered", 10_000, ANSWERED, 100, FLOWING, NEVER, 9_999,
            AttemptTimeouts.MAX_STREAM_DURATION),
        row("past maxStreamDuration before any answer", 10_000, WAITING, 9_500, FLOWING, NEVER, NEVER,
            AttemptTimeouts.MAX_STREAM_DURATION),
        row("past maxStreamDuration while paused", 10_001, ANSWERED, 100, PAUSED, 9_900, 9_900,
            AttemptTimeouts.MAX_STREAM_DURATION));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("firings")
  void decidesWhatAFiringTimerDoes(String name, long nowMs, boolean answered, long sentMs, boolean paused,
      long pausedSinceMs, long lastChunkMs, Expiry expected) {
    assertThat(TIMEOUTS.onFire(ns(nowMs), 0, answered, ns(sentMs), paused, ns(pausedSinceMs), ns(lastChunkMs)))
        .isEqualTo(expected);
  }

  static Stream<Arguments> delays() {
    return Stream.of(
        // requested, now -> delay
        Arguments.of(500L, 0L, 500L),
        Arguments.of(500L, 9_800L, 200L), // never past maxStreamDuration
        Arguments.of(500L, 10_000L, 1L), // at least 1 ms, so it fires and cuts the stream off
        Arguments.of(0L, 100L, 1L));
  }

  @ParameterizedTest(name = "{0} ms asked at {1} ms: {2} ms")
  @MethodSource("delays")
  void armsNoLaterThanTheStreamDeadline(long requestedMs, long nowMs, long expectedMs) {
    assertThat(TIMEOUTS.delayMs(requestedMs, ns(nowMs), 0)).isEqualTo(expectedMs);
  }

  @Test
  void withoutMaxStreamDurationOnlyTheAttemptsOwnTimeoutsApply() {
    long aDay = 86_400_000L;
    assertThat(ENDLESS.delayMs(aDay, ns(aDay), 0)).isEqualTo(aDay);
    assertThat(ENDLESS.onFire(ns(aDay), 0, ANSWERED, 0, FLOWING, 0, ns(aDay - 100))).isEqualTo(new Expiry.Rearm(400));
  }

  @Test
  void takesItsTimeoutsFromTheSettings() {
    // The defaults: responseTimeout 10 min, idleTimeout 5 min, clientWriteTimeout 30 s, no maxStreamDuration.
    assertThat(AttemptTimeouts.of(RouterSettings.defaults()))
        .isEqualTo(new AttemptTimeouts(600_000, 300_000, 30_000, AttemptTimeouts.UNLIMITED));
  }

  private static long ns(long ms) {
    return ms * 1_000_000;
  }

  private static Arguments row(String name, long nowMs, boolean answered, long sentMs, boolean paused,
      long pausedSinceMs, long lastChunkMs, Expiry expected) {
    return Arguments.of(name, nowMs, answered, sentMs, paused, pausedSinceMs, lastChunkMs, expected);
  }
}

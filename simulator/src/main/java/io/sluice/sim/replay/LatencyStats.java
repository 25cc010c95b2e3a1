package io.sluice.sim.replay;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Percentiles of one latency, in milliseconds, read from an HdrHistogram of microseconds.
 * {@code count} 0 means nothing was recorded and every figure is NaN.
 */
public record LatencyStats(long count, double p50, double p90, double p99, double max) {

  /** A histogram of microseconds up to ten minutes, three significant digits. */
  public static Histogram newHistogram() {
    return new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
  }

  public static LatencyStats of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    return new LatencyStats(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
        ms(micros.getValueAtPercentile(90)), ms(micros.getValueAtPercentile(99)), ms(micros.getMaxValue()));
  }

  /** Records a duration in nanoseconds, clamped into the histogram's range. */
  static void record(Histogram micros, long nanos) {
    micros.recordValue(Math.min(micros.getHighestTrackableValue(), Math.max(0, nanos / 1000)));
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}

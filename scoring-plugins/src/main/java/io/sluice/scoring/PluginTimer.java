package io.sluice.scoring;

import java.util.function.LongConsumer;

/**
 * Where the durations of a profile's plugin calls go (one call per plugin per pick: a scorer is
 * timed over all candidates), so the router can record them with its own meter registry. Asked
 * once per plugin when the profile is built; the recorders it returns are called on the picking
 * thread and must be cheap and thread-safe.
 */
@FunctionalInterface
public interface PluginTimer {
  /** Times nothing; the profile then does not read the clock at all. */
  PluginTimer NONE = (kind, type) -> nanos -> { };

  /**
   * The recorder of one plugin's call durations, in nanoseconds.
   *
   * @param kind {@code filter}, {@code scorer}, {@code picker} or {@code observer}
   * @param type the plugin type, e.g. {@code token-budget}
   */
  LongConsumer recorder(String kind, String type);
}

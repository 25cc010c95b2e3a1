package io.sluice.scoring;

/**
 * Receives the duration of every plugin call a profile makes (one call per plugin per pick: a
 * scorer is timed over all candidates), so the router can record it with its own meter registry.
 * Called on the picking thread; must be cheap and thread-safe.
 */
@FunctionalInterface
public interface PluginTimer {
  /** Times nothing; the profile then does not read the clock at all. */
  PluginTimer NONE = (kind, type, nanos) -> {};

  /**
   * @param kind {@code filter}, {@code scorer}, {@code picker} or {@code observer}
   * @param type the plugin type, e.g. {@code token-budget}
   */
  void record(String kind, String type, long nanos);
}

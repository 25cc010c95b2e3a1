package io.sluice.router.runtime;

/**
 * Who sent a request, as admission sees it.
 *
 * @param trafficClass the matched class
 * @param priority the class's priority
 * @param tenant who pays inside the class
 */
public record Caller(String trafficClass, int priority, String tenant) {
  public static final Caller DEFAULT = new Caller("default", 0, "default");
}

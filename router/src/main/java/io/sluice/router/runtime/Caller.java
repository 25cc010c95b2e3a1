package io.sluice.router.runtime;

import io.sluice.crd.ServiceObjective;

/**
 * Who sent a request, as admission sees it.
 *
 * @param trafficClass the matched class
 * @param priority the class's priority
 * @param tenant who pays inside the class
 * @param objective the class's service objective; null: the pool's
 */
public record Caller(String trafficClass, int priority, String tenant, ServiceObjective objective) {
  public static final Caller DEFAULT = new Caller("default", 0, "default", null);

  public Caller(String trafficClass, int priority, String tenant) {
    this(trafficClass, priority, tenant, null);
  }
}

package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How several router replicas share the budget of the pods they route to. */
public enum BudgetCoordination {
  /** Each of N live router replicas uses budget / N of every pod (the default in a cluster). */
  @JsonProperty("partitioned") PARTITIONED,
  /** One replica owns every pod's whole budget (the default of a static configuration). */
  @JsonProperty("local") LOCAL,
  /**
   * One ledger in Redis shared by every replica: each replica leases shares of a pod's budget whose
   * sum never passes the budget; a crashed replica's leases expire. Falls back to {@code partitioned}
   * while Redis cannot be reached.
   */
  @JsonProperty("redis") REDIS
}

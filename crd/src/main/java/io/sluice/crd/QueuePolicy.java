package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Order among waiting requests of the same traffic class. */
public enum QueuePolicy {
  /** First come, first served (after priority and age boost). */
  @JsonProperty("fifo") FIFO,
  /** Deficit round robin charged in tokens across tenants. */
  @JsonProperty("token-fair") TOKEN_FAIR
}

package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the router does with a request it predicts will miss its time-to-first-token objective. */
public enum MissAction {
  /** Refuse it at arrival with 429 {@code slo_unattainable}, with a Retry-After from the prediction. */
  @JsonProperty("reject") REJECT,
  /** Queue it as any other request (batch traffic; or to watch the predictions before enforcing). */
  @JsonProperty("serve") SERVE
}

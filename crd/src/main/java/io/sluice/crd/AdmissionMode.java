package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether admission only records what it would do, or does it. */
public enum AdmissionMode {
  /** Estimate, score and record what would have happened; never queue or refuse. */
  @JsonProperty("observe") OBSERVE,
  /** Reserve budget, queue what does not fit, refuse what never can. */
  @JsonProperty("enforce") ENFORCE
}

package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * @param mode observe (record only) or enforce
 * @param objective the service objective of the pool's requests whose traffic class sets none;
 *     unset: none (requests wait up to the queue's maxWait)
 */
public record AdmissionSpec(
    @JsonPropertyDescription("observe: estimate and record only; enforce: reserve, queue and refuse")
        AdmissionMode mode,
    @JsonPropertyDescription("Service objective (ttft, tpot, onMiss, shedding) of requests whose traffic class "
        + "sets none") ServiceObjective objective) {

  public AdmissionSpec {
    mode = mode == null ? AdmissionMode.ENFORCE : mode;
  }

  public AdmissionSpec(AdmissionMode mode) {
    this(mode, null);
  }

  public static AdmissionSpec defaults() {
    return new AdmissionSpec(null, null);
  }
}

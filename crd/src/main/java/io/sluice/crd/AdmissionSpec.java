package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** @param mode observe (record only) or enforce */
public record AdmissionSpec(
    @JsonPropertyDescription("observe: estimate and record only; enforce: reserve, queue and refuse")
        AdmissionMode mode) {

  public AdmissionSpec {
    mode = mode == null ? AdmissionMode.ENFORCE : mode;
  }

  public static AdmissionSpec defaults() {
    return new AdmissionSpec(null);
  }
}

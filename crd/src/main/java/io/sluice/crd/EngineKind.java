package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The serving engine behind a pool's pods; decides metric names and tokenize endpoints. */
public enum EngineKind {
  @JsonProperty("vllm") VLLM,
  @JsonProperty("sglang") SGLANG,
  @JsonProperty("generic") GENERIC
}

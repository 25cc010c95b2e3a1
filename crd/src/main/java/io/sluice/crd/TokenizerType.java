package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which tokenizer a pool's estimates use. */
public enum TokenizerType {
  @JsonProperty("approximate") APPROXIMATE,
  @JsonProperty("huggingface") HUGGINGFACE,
  @JsonProperty("tiktoken") TIKTOKEN,
  @JsonProperty("engine") ENGINE
}

package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which requests an overload refuses first, when requests are refused for their objective. */
public enum Shedding {
  /**
   * A request's predicted wait includes its own size, so large requests are refused first: fewer
   * refusals and more requests served within objective, at the cost of long prompts.
   */
  @JsonProperty("goodput") GOODPUT,
  /** Every request is judged by the time to first token of a request of the pool's mean size and mean prompt: refusals fall on all sizes alike. */
  @JsonProperty("size-neutral") SIZE_NEUTRAL
}

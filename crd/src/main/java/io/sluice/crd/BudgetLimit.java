package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a pod's budget is set. */
public enum BudgetLimit {
  /**
   * Moves with the engine's own signals: raised while the engine's KV cache has room and the
   * budget holds requests back, cut at once when the engine preempts (the default with
   * {@code tokensPerPod: auto}).
   */
  @JsonProperty("adaptive") ADAPTIVE,
  /** Exactly {@code tokensPerPod}, or the engine's KV size times {@code utilization} (the default with a number). */
  @JsonProperty("fixed") FIXED
}

package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

/**
 * What a request is promised: its first token within {@code ttft}, each token after it within
 * {@code tpot} on average, and what the router does with a request it predicts cannot make it.
 *
 * @param ttft time to first token, from arrival at the router; unset: no promise (nothing is refused for it)
 * @param tpot mean time per output token after the first; unset: not judged (met counts the first token only)
 * @param onMiss {@code reject}: refuse at arrival a request predicted to miss {@code ttft} (429
 *     {@code slo_unattainable}); {@code serve}: queue it anyway and only count the predicted miss
 * @param shedding which requests a full queue refuses first: {@code goodput} (the wait a request is
 *     predicted counts its own size, so large ones go first and more requests are served) or
 *     {@code size-neutral} (every request is judged by the same wait, whatever its size)
 */
public record ServiceObjective(
    @JsonPropertyDescription("Time to first token, from arrival at the router, e.g. 2s")
        @SchemaFrom(type = String.class)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration ttft,
    @JsonPropertyDescription("Mean time per output token after the first, e.g. 100ms")
        @SchemaFrom(type = String.class)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration tpot,
    @JsonPropertyDescription("reject (default): refuse at arrival a request predicted to miss ttft, with 429; "
        + "serve: queue it anyway (batch traffic, or to observe the predictions first)") MissAction onMiss,
    @JsonPropertyDescription("goodput (default): a request's own size counts in its predicted wait, so large ones "
        + "are refused first; size-neutral: every request is judged by the same wait") Shedding shedding) {

  // The rules are on explicit accessors, not on the components: from a component the CRD generator
  // read each rule twice (on the field and on the accessor), and server-side apply refuses
  // duplicate x-kubernetes-validations entries.
  @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
  @Override
  public Duration ttft() {
    return ttft;
  }

  @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
  @Override
  public Duration tpot() {
    return tpot;
  }

  public ServiceObjective {
    onMiss = onMiss == null ? MissAction.REJECT : onMiss;
    shedding = shedding == null ? Shedding.GOODPUT : shedding;
  }

  /** The time-to-first-token objective in nanoseconds; 0 when none is set. */
  public long ttftNanos() {
    return ttft == null ? 0 : ttft.toNanos();
  }

  /** The time-per-output-token objective in nanoseconds; 0 when none is set. */
  public long tpotNanos() {
    return tpot == null ? 0 : tpot.toNanos();
  }

  /** Whether a request predicted to miss its first-token objective is refused at arrival. */
  public boolean refusesPredictedMisses() {
    return onMiss == MissAction.REJECT && ttft != null && !ttft.isZero();
  }
}

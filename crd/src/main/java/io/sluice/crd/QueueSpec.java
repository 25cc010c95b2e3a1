package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;

/**
 * The pool's admission queue: requests that fit on no pod wait here.
 *
 * @param maxLength most requests waiting; past it, 429
 * @param maxQueuedTokens most reserved tokens waiting; past it, 429
 * @param maxWait longest wait; past it, 503
 * @param ageBoostPerSecond priority units a waiting request gains per second
 * @param starvationThreshold once the head has waited this long, smaller requests stop bypassing it
 * @param policy order among equals of one traffic class
 */
public record QueueSpec(
    @JsonPropertyDescription("Most requests waiting; past it new ones get 429") @Min(0) Integer maxLength,
    @JsonPropertyDescription("Most tokens waiting; past it new ones get 429") @Min(0) Long maxQueuedTokens,
    @JsonPropertyDescription("Longest a request may wait; past it, 503")
        @SchemaFrom(type = String.class)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration maxWait,
    @JsonPropertyDescription("Priority units a waiting request gains per second") @Min(0) @Max(1_000_000)
        Double ageBoostPerSecond,
    @JsonPropertyDescription("Once the head has waited this long, smaller requests no longer bypass it")
        @SchemaFrom(type = String.class)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration starvationThreshold,
    @JsonPropertyDescription("fifo | token-fair: order among equals of one traffic class") QueuePolicy policy) {

  // The rules are on explicit accessors, not on the components: from a component the CRD generator
  // read each rule twice (on the field and on the accessor), and server-side apply refuses
  // duplicate x-kubernetes-validations entries.
  @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
  @Override
  public Duration maxWait() {
    return maxWait;
  }

  @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
  @Override
  public Duration starvationThreshold() {
    return starvationThreshold;
  }

  public QueueSpec {
    maxLength = maxLength == null ? 1000 : maxLength;
    maxQueuedTokens = maxQueuedTokens == null ? 10_000_000L : maxQueuedTokens;
    maxWait = maxWait == null ? Duration.ofSeconds(60) : maxWait;
    ageBoostPerSecond = ageBoostPerSecond == null ? 1.0 : ageBoostPerSecond;
    starvationThreshold = starvationThreshold == null ? Duration.ofSeconds(10) : starvationThreshold;
    policy = policy == null ? QueuePolicy.FIFO : policy;
  }

  public static QueueSpec defaults() {
    return new QueueSpec(null, null, null, null, null, null);
  }
}

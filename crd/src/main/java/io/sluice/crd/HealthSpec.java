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
 * Passive health checking, retries and engine metrics scraping.
 *
 * @param consecutiveFailures connect failures or 5xx answers (503 included) in a row that eject a pod
 * @param ejectionTime how long the first ejection lasts; each further one doubles it
 * @param maxEjectionTime the longest ejection
 * @param maxAttempts pods a request may be sent to when the earlier ones fail before answering
 * @param maxRequeues times a request may go back into the queue after a pod answered 429 or 503
 * @param scrapeInterval how often each pod's metrics page is read
 * @param metricsStaleAfter engine metrics older than this count as unknown
 * @param maxFailureRatio share of failures among a pod's latest 20 answers that ejects it
 * @param maxEjectedPercent most of the pool's pods ejected at once, in percent (one may always be)
 * @param retryBudgetPercent retries and requeues in progress at once, in percent of the requests in
 *     flight on the pool
 * @param minRetryConcurrency retries and requeues always allowed at once, whatever the budget
 */
public record HealthSpec(
    @JsonPropertyDescription("Connect failures or 5xx answers (503 included) in a row that eject a pod") @Min(1) Integer consecutiveFailures,
    @JsonPropertyDescription("First ejection; doubles with each further one")
        @SchemaFrom(type = String.class)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration ejectionTime,
    @JsonPropertyDescription("Longest ejection")
        @SchemaFrom(type = String.class)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration maxEjectionTime,
    @JsonPropertyDescription("Pods a request may try when earlier ones fail before answering") @Min(1) @Max(10) Integer maxAttempts,
    @JsonPropertyDescription("Times a request may go back into the queue after a 429 or 503 from a pod")
        @Min(0) @Max(10) Integer maxRequeues,
    @JsonPropertyDescription("How often each pod's metrics page is read")
        @SchemaFrom(type = String.class)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration scrapeInterval,
    @JsonPropertyDescription("Engine metrics older than this count as unknown")
        @SchemaFrom(type = String.class)
        @JsonDeserialize(using = DurationDeserializer.class) @JsonSerialize(using = DurationSerializer.class)
        Duration metricsStaleAfter,
    @JsonPropertyDescription("Share of failures among a pod's latest 20 answers that ejects it (0-1]")
        @Min(value = 0, inclusive = false) @Max(1) Double maxFailureRatio,
    @JsonPropertyDescription("Most pods of the pool ejected at once, in percent; one may always be")
        @Min(0) @Max(100) Integer maxEjectedPercent,
    @JsonPropertyDescription("Retries and requeues in progress at once, in percent of the requests in flight")
        @Min(0) @Max(100) Integer retryBudgetPercent,
    @JsonPropertyDescription("Retries and requeues always allowed at once, whatever the budget")
        @Min(0) Integer minRetryConcurrency) {

  // The rules are on explicit accessors, not on the components: from a component the CRD generator
  // read each rule twice (on the field and on the accessor), and server-side apply refuses
  // duplicate x-kubernetes-validations entries.
  @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
  @Override
  public Duration ejectionTime() {
    return ejectionTime;
  }

  @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
  @Override
  public Duration maxEjectionTime() {
    return maxEjectionTime;
  }

  @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
  @Override
  public Duration scrapeInterval() {
    return scrapeInterval;
  }

  @ValidationRule(value = Durations.SCHEMA_RULE, message = Durations.SCHEMA_MESSAGE)
  @Override
  public Duration metricsStaleAfter() {
    return metricsStaleAfter;
  }

  public HealthSpec {
    consecutiveFailures = consecutiveFailures == null ? 5 : consecutiveFailures;
    ejectionTime = ejectionTime == null ? Duration.ofSeconds(10) : ejectionTime;
    maxEjectionTime = maxEjectionTime == null ? Duration.ofMinutes(5) : maxEjectionTime;
    maxAttempts = maxAttempts == null ? 3 : maxAttempts;
    maxRequeues = maxRequeues == null ? 3 : maxRequeues;
    scrapeInterval = scrapeInterval == null ? Duration.ofMillis(500) : scrapeInterval;
    metricsStaleAfter = metricsStaleAfter == null ? Duration.ofSeconds(2) : metricsStaleAfter;
    maxFailureRatio = maxFailureRatio == null ? 0.5 : maxFailureRatio;
    maxEjectedPercent = maxEjectedPercent == null ? 50 : maxEjectedPercent;
    retryBudgetPercent = retryBudgetPercent == null ? 20 : retryBudgetPercent;
    minRetryConcurrency = minRetryConcurrency == null ? 3 : minRetryConcurrency;
  }

  public static HealthSpec defaults() {
    return new HealthSpec(null, null, null, null, null, null, null, null, null, null, null);
  }
}

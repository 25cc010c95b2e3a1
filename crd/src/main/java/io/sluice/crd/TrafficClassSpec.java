package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.List;
import java.util.Map;

/**
 * A class of callers: how they are recognised and how their requests rank in the queue.
 *
 * @param priority larger is served first; the queue's age boost is in the same units
 * @param match which callers belong to the class
 * @param tenantHeader request header naming the tenant inside the class (for per-tenant output
 *     prediction and token-fair ordering); without it the tenant is the class name
 * @param isDefault the class of callers no class matches (at most one)
 */
public record TrafficClassSpec(
    @JsonPropertyDescription("Larger is served first; the queue's age boost uses the same units")
        @Min(-1_000_000) @Max(1_000_000) Integer priority,
    @JsonPropertyDescription("Which callers belong to this class") TrafficMatch match,
    @JsonPropertyDescription("Header naming the tenant within the class") String tenantHeader,
    @JsonProperty("default") @JsonPropertyDescription("The class of callers no other class matches")
        Boolean isDefault) {

  public TrafficClassSpec {
    priority = priority == null ? 0 : priority;
    match = match == null ? new TrafficMatch(null, null) : match;
    isDefault = isDefault != null && isDefault;
  }

  /**
   * @param headers request headers (name to exact value) that must all be present; only for headers
   *     set by something the operator trusts (a gateway), since clients could send them too
   * @param apiKeySha256 hex SHA-256 digests of the bearer API keys of this class
   */
  public record TrafficMatch(
      @JsonPropertyDescription("Headers (name: exact value) that must all be present") Map<String, String> headers,
      @JsonPropertyDescription("Hex SHA-256 of the bearer API keys of this class") List<String> apiKeySha256) {

    public TrafficMatch {
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      apiKeySha256 = apiKeySha256 == null ? List.of() : List.copyOf(apiKeySha256);
    }
  }
}

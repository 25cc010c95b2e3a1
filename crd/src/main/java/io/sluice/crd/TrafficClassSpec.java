package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.List;
import java.util.Map;

/**
 * A class of callers: how they are recognised, what they may use, and how their requests rank in
 * the queue.
 *
 * @param priority larger is served first; the queue's age boost is in the same units
 * @param match which callers belong to the class
 * @param tenantHeader request header naming the tenant inside the class (for per-tenant output
 *     prediction and token-fair ordering); without it the tenant is the class name
 * @param isDefault the class of callers no class matches (at most one)
 * @param models the models the class may use; empty: all (403 for another)
 * @param allowPriorityHeader whether a caller of the class may set its priority with the
 *     {@code x-sluice-priority} header (403 when it is sent without this)
 * @param priorityHeaderMin lowest priority the header may ask for
 * @param priorityHeaderMax highest priority the header may ask for; default: the class's priority,
 *     so a caller can only lower its own rank unless the operator allows more
 * @param objective what the class's requests are promised (time to first token, per output token)
 *     and what to do with one predicted to miss it; unset: the pool's {@code admission.objective}
 */
public record TrafficClassSpec(
    @JsonPropertyDescription("Larger is served first; the queue's age boost uses the same units")
        @Min(-1_000_000) @Max(1_000_000) Integer priority,
    @JsonPropertyDescription("Which callers belong to this class") TrafficMatch match,
    @JsonPropertyDescription("Header naming the tenant within the class") String tenantHeader,
    @JsonProperty("default") @JsonPropertyDescription("The class of callers no other class matches")
        Boolean isDefault,
    @JsonPropertyDescription("Models this class may use; empty or absent: all") List<String> models,
    @JsonPropertyDescription("Callers of this class may set their priority with the x-sluice-priority header")
        Boolean allowPriorityHeader,
    @JsonPropertyDescription("Lowest priority the x-sluice-priority header may ask for")
        @Min(-1_000_000) @Max(1_000_000) Integer priorityHeaderMin,
    @JsonPropertyDescription("Highest priority the x-sluice-priority header may ask for (default: priority)")
        @Min(-1_000_000) @Max(1_000_000) Integer priorityHeaderMax,
    @JsonPropertyDescription("Service objective of this class's requests (ttft, tpot, onMiss, shedding); "
        + "unset: the pool's admission.objective") ServiceObjective objective) {

  public TrafficClassSpec {
    priority = priority == null ? 0 : priority;
    match = match == null ? new TrafficMatch(null, null, null, null) : match;
    isDefault = isDefault != null && isDefault;
    models = models == null ? List.of() : List.copyOf(models);
    allowPriorityHeader = allowPriorityHeader != null && allowPriorityHeader;
    priorityHeaderMin = priorityHeaderMin == null ? -1_000_000 : priorityHeaderMin;
    priorityHeaderMax = priorityHeaderMax == null ? priority : priorityHeaderMax;
  }

  /** A class without model restrictions or priority header: the fields every class has. */
  public static TrafficClassSpec of(int priority, TrafficMatch match, String tenantHeader, boolean isDefault) {
    return new TrafficClassSpec(priority, match, tenantHeader, isDefault, null, null, null, null, null);
  }

  /**
   * @param headers request headers (name to exact value) that must all be present; only for headers
   *     set by something the operator trusts (a gateway), since clients could send them too
   * @param apiKeySha256 hex SHA-256 digests of the bearer API keys of this class
   * @param apiKeySecretRef a Secret in the class's namespace holding API keys (Kubernetes only)
   * @param apiKeyFiles files holding API keys, one per line (read by the router; reloaded on change)
   */
  public record TrafficMatch(
      @JsonPropertyDescription("Headers (name: exact value) that must all be present") Map<String, String> headers,
      @JsonPropertyDescription("Hex SHA-256 of the bearer API keys of this class") List<String> apiKeySha256,
      @JsonPropertyDescription("A Secret in this namespace whose data values are the API keys of this class")
          SecretKeys apiKeySecretRef,
      @JsonPropertyDescription("Files on the router holding API keys of this class, one per line")
          List<String> apiKeyFiles) {

    public TrafficMatch {
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      apiKeySha256 = apiKeySha256 == null ? List.of() : List.copyOf(apiKeySha256);
      apiKeyFiles = apiKeyFiles == null ? List.of() : List.copyOf(apiKeyFiles);
    }

    /** Whether any API key source is set. */
    public boolean byKey() {
      return !apiKeySha256.isEmpty() || apiKeySecretRef != null || !apiKeyFiles.isEmpty();
    }
  }

  /**
   * @param name the Secret's name
   * @param keys which data entries hold keys; empty or absent: every entry
   */
  public record SecretKeys(
      @Required @JsonPropertyDescription("Name of the Secret") String name,
      @JsonPropertyDescription("Data entries holding keys; absent: every entry") List<String> keys) {

    public SecretKeys {
      keys = keys == null ? List.of() : List.copyOf(keys);
    }
  }
}

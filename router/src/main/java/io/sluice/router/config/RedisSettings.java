package io.sluice.router.config;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import java.time.Duration;

/**
 * Where the shared budget ledger lives, for pools with {@code budget.coordination: redis}. The
 * password is never written in the file: it comes from the environment variable
 * {@value #PASSWORD_VARIABLE} when that is set.
 */
public record RedisSettings(
    @JsonPropertyDescription("Redis server, e.g. redis://sluice-redis:6379 (rediss:// for TLS). Required by pools "
        + "with budget.coordination: redis.") String address,
    @JsonPropertyDescription("Longest wait for one Redis command; past it Redis counts as unreachable.")
        Duration timeout,
    @JsonPropertyDescription("Prefix of every Redis key Sluice writes.") String keyPrefix,
    @JsonPropertyDescription("How long a replica's share of a pod lasts in Redis without renewal; a crashed "
        + "replica's shares are free again after it.") Duration leaseTtl,
    @JsonPropertyDescription("Without the cluster's replica Leases (static config): the replicas to divide budgets "
        + "by while Redis is unreachable.") @Min(1) Integer fallbackReplicas) {

  public static final String PASSWORD_VARIABLE = "SLUICE_REDIS_PASSWORD";

  public RedisSettings {
    address = address == null || address.isBlank() ? null : address.trim();
    timeout = timeout == null ? Duration.ofSeconds(1) : timeout;
    keyPrefix = keyPrefix == null ? "sluice:" : keyPrefix;
    leaseTtl = leaseTtl == null ? Duration.ofSeconds(10) : leaseTtl;
    fallbackReplicas = fallbackReplicas == null ? 1 : fallbackReplicas;
  }

  /** No Redis: pools cannot use {@code coordination: redis}. */
  public static RedisSettings none() {
    return new RedisSettings(null, null, null, null, null);
  }

  public boolean configured() {
    return address != null;
  }
}

package io.sluice.router.config;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.time.Duration;

/**
 * Router-wide settings: the optional {@code RouterSettings} document of the config file (in a
 * cluster, the chart's ConfigMap). Every field has a default, so the document may be left out.
 */
public record RouterSettings(
    @JsonPropertyDescription("Largest request body accepted, in bytes (413 past it).") Long maxBodyBytes,
    @JsonPropertyDescription("Time to open a connection to a pod.") Duration connectTimeout,
    @JsonPropertyDescription("Time from sending a request to a pod until its response headers arrive (504 past it).")
        Duration responseTimeout,
    @JsonPropertyDescription("Longest silence on an upstream response, e.g. between two stream chunks.")
        Duration idleTimeout,
    @JsonPropertyDescription("On SIGTERM, how long in-flight requests may take to finish.") Duration drainTimeout,
    @JsonPropertyDescription("Pooled HTTP/1.1 connections kept per pod.") Integer maxConnectionsPerPod,
    @JsonPropertyDescription("One log line per request (logger sluice.access).") Boolean accessLog,
    @JsonPropertyDescription("Threads counting prompt tokens with exact tokenizers (default: CPUs).")
        Integer tokenizerThreads,
    @JsonPropertyDescription("Estimates waiting for a tokenizer thread; past it, approximate counts.")
        Integer tokenizerQueue,
    @JsonPropertyDescription("Request header naming a conversation, for session-affinity scoring.")
        String sessionHeader,
    @JsonPropertyDescription("The Redis server of pools with budget.coordination: redis.") RedisSettings redis) {

  public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;

  public RouterSettings {
    maxBodyBytes = maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
    responseTimeout = responseTimeout == null ? Duration.ofMinutes(10) : responseTimeout;
    idleTimeout = idleTimeout == null ? Duration.ofMinutes(5) : idleTimeout;
    drainTimeout = drainTimeout == null ? Duration.ofSeconds(30) : drainTimeout;
    maxConnectionsPerPod = maxConnectionsPerPod == null ? 512 : maxConnectionsPerPod;
    accessLog = accessLog == null ? Boolean.TRUE : accessLog;
    tokenizerThreads = tokenizerThreads == null ? Runtime.getRuntime().availableProcessors() : tokenizerThreads;
    tokenizerQueue = tokenizerQueue == null ? 1024 : tokenizerQueue;
    sessionHeader = sessionHeader == null || sessionHeader.isBlank() ? "x-session-id" : sessionHeader;
    redis = redis == null ? RedisSettings.none() : redis;
  }

  /** All defaults. */
  public static RouterSettings defaults() {
    return new RouterSettings(null, null, null, null, null, null, null, null, null, null, null);
  }
}

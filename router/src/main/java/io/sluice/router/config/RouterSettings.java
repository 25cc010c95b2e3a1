package io.sluice.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.time.Duration;
import java.util.List;

/**
 * Router-wide settings: the optional {@code RouterSettings} document of the config file (in a
 * cluster, the chart's ConfigMap). Every field has a default, so the document may be left out. The
 * bounds of single fields are the schema annotations, applied by {@code SpecRules} like a CRD's and
 * matched by the chart's values schema (ChartSchemaRulesTest).
 */
public record RouterSettings(
    @JsonPropertyDescription("Largest request body accepted, in bytes (413 past it).")
        @Min(1024) @Max(1L << 30) Long maxBodyBytes,
    @JsonPropertyDescription("Time to open a connection to a pod.") Duration connectTimeout,
    @JsonPropertyDescription("Time from sending a request to a pod until its response headers arrive (504 past it).")
        Duration responseTimeout,
    @JsonPropertyDescription("Longest silence on an upstream response, e.g. between two stream chunks.")
        Duration idleTimeout,
    @JsonPropertyDescription("On SIGTERM, how long in-flight requests may take to finish.") Duration drainTimeout,
    @JsonPropertyDescription("Pooled HTTP/1.1 connections kept per pod.") @Min(1) Integer maxConnectionsPerPod,
    @JsonPropertyDescription("One log line per request (logger sluice.access).") Boolean accessLog,
    @JsonPropertyDescription("Threads counting prompt tokens with exact tokenizers (default: CPUs).")
        @Min(1) @Max(256) Integer tokenizerThreads,
    @JsonPropertyDescription("Estimates waiting for a tokenizer thread; past it, approximate counts.")
        @Min(0) Integer tokenizerQueue,
    @JsonPropertyDescription("Request header naming a conversation, for session-affinity scoring.")
        String sessionHeader,
    @JsonPropertyDescription("The Redis server of pools with budget.coordination: redis.") RedisSettings redis,
    @JsonPropertyDescription("Largest request line plus headers accepted from a client, in bytes (431 past it).")
        @Min(1024) @Max(1024 * 1024) Integer maxHeaderBytes,
    @JsonPropertyDescription("Client connections open at once on the data port; more are closed at once.")
        @Min(1) Integer maxConnections,
    @JsonPropertyDescription("Time a client has to send a whole request, headers and body (408 past it).")
        Duration requestTimeout,
    @JsonPropertyDescription("A client connection with no request in flight and no bytes for this long is closed.")
        Duration clientIdleTimeout,
    @JsonPropertyDescription("API-key authentication on the data port.") Authentication authentication,
    @JsonPropertyDescription("TLS on the data port (PEM files, reloaded on change).") Tls tls,
    @JsonPropertyDescription("Request headers set by a gateway in front (which strips them from clients); only "
        + "these may match a TrafficClass by header.") List<String> trustedHeaders,
    @JsonPropertyDescription("Request body bytes held at once across all clients; past it, 503 (default: an eighth "
        + "of the heap).") @Min(1024) Long maxBufferedBodyBytes,
    @JsonPropertyDescription("Share of the heap in use after the last collection above which requests with a body "
        + "get 503.") @Min(value = 0, inclusive = false) @Max(1) Double maxHeapUsage,
    @JsonPropertyDescription("Time a new client connection has to send its first request headers.")
        Duration firstRequestTimeout,
    @JsonPropertyDescription("Client connections one source address may hold open at once (0: no limit).")
        @Min(0) Integer maxConnectionsPerAddress,
    @JsonPropertyDescription("Longest a response may wait for the client to accept more bytes; past it the "
        + "request is ended and its tokens released.") Duration clientWriteTimeout,
    @JsonPropertyDescription("Longest a response may stream, from the request's arrival (default: no limit).")
        Duration maxStreamDuration,
    @JsonPropertyDescription("Cross-origin requests from browsers (default: off, no Access-Control-* headers).")
        Cors cors,
    @JsonPropertyDescription("Tokens reserved for one /v1/audio/transcriptions request (its audio is not measured).")
        @Min(1) @Max(10_000_000) Integer audioTranscriptionTokens) {

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
    maxHeaderBytes = maxHeaderBytes == null ? DEFAULT_MAX_HEADER_BYTES : maxHeaderBytes;
    maxConnections = maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections;
    requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
    clientIdleTimeout = clientIdleTimeout == null ? Duration.ofMinutes(2) : clientIdleTimeout;
    authentication = authentication == null ? new Authentication(null) : authentication;
    trustedHeaders = trustedHeaders == null ? List.of() : List.copyOf(trustedHeaders);
    maxHeapUsage = maxHeapUsage == null ? DEFAULT_MAX_HEAP_USAGE : maxHeapUsage;
    firstRequestTimeout = firstRequestTimeout == null ? Duration.ofSeconds(10) : firstRequestTimeout;
    maxConnectionsPerAddress = maxConnectionsPerAddress == null ? 0 : maxConnectionsPerAddress;
    clientWriteTimeout = clientWriteTimeout == null ? Duration.ofSeconds(30) : clientWriteTimeout;
    cors = cors == null ? new Cors(null, null, null, null) : cors;
    audioTranscriptionTokens = audioTranscriptionTokens == null ? DEFAULT_AUDIO_TRANSCRIPTION_TOKENS
        : audioTranscriptionTokens;
  }

  public static final double DEFAULT_MAX_HEAP_USAGE = 0.9;
  /** Whisper's encoder reads 30 s windows of 1500 tokens and writes at most 448: about one window. */
  public static final int DEFAULT_AUDIO_TRANSCRIPTION_TOKENS = 2048;

  /**
   * The request body bytes the router may hold at once: {@code maxBufferedBodyBytes}, or without it
   * an eighth of the JVM's maximum heap (a body held is parsed into a tree several times its size,
   * and the rest of the heap serves streams, tokenizers and caches), and never less than one body
   * of {@code maxBodyBytes}.
   */
  public long bufferedBodyLimit() {
    return maxBufferedBodyBytes != null ? maxBufferedBodyBytes
        : Math.max(maxBodyBytes, Runtime.getRuntime().maxMemory() / 8);
  }

  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
  public static final int DEFAULT_MAX_CONNECTIONS = 4096;

  /** How callers prove who they are: a bearer API key listed by a TrafficClass. */
  public enum AuthMode {
    /** Keys only pick a class; a request without a known key gets the default class. */
    @JsonProperty("none") NONE,
    /** A request without a key gets the default class; a key that is sent must be known (401). */
    @JsonProperty("optional") OPTIONAL,
    /** Every request needs a known key (401 without one). */
    @JsonProperty("required") REQUIRED
  }

  /** @param mode none (default), optional or required */
  public record Authentication(
      @JsonPropertyDescription("none (default), optional or required") AuthMode mode) {
    public Authentication {
      mode = mode == null ? AuthMode.NONE : mode;
    }
  }

  /**
   * @param certFile PEM certificate chain
   * @param keyFile PEM private key (PKCS#8 or PKCS#1)
   */
  public record Tls(
      @JsonPropertyDescription("PEM certificate chain") String certFile,
      @JsonPropertyDescription("PEM private key") String keyFile) {}

  /**
   * CORS on the data port, answered by the router: preflights without authentication or admission,
   * and {@code Access-Control-Allow-Origin} on the answers to an allowed origin. Off while no origin
   * is listed. Credentials (cookies) are never allowed: API keys travel in a header.
   *
   * @param allowedOrigins exact origins ({@code https://app.example.com}) or {@code *} alone
   * @param allowedHeaders request headers a browser may send; empty: those its preflight asks for
   * @param exposedHeaders response headers a page may read
   * @param maxAgeSeconds how long a browser may keep a preflight's answer
   */
  public record Cors(
      @JsonPropertyDescription("Exact origins (scheme://host[:port]) allowed, or * alone; empty: CORS off.")
          List<String> allowedOrigins,
      @JsonPropertyDescription("Request headers a browser may send (default: whatever its preflight asks for).")
          List<String> allowedHeaders,
      @JsonPropertyDescription("Response headers a page may read (default: x-request-id, retry-after).")
          List<String> exposedHeaders,
      @JsonPropertyDescription("Seconds a browser may keep a preflight's answer.") @Min(0) @Max(86400)
          Integer maxAgeSeconds) {
    public Cors {
      allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
      allowedHeaders = allowedHeaders == null ? List.of() : List.copyOf(allowedHeaders);
      exposedHeaders = exposedHeaders == null ? List.of("x-request-id", "retry-after") : List.copyOf(exposedHeaders);
      maxAgeSeconds = maxAgeSeconds == null ? 600 : maxAgeSeconds;
    }

    public boolean enabled() {
      return !allowedOrigins.isEmpty();
    }
  }

  /** All defaults. */
  public static RouterSettings defaults() {
    return new RouterSettings(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null);
  }
}

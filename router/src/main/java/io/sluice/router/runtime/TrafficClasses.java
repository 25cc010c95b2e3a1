package io.sluice.router.runtime;

import io.sluice.crd.TrafficClassSpec;
import io.sluice.router.config.TrafficClassConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Matches callers to traffic classes: by the SHA-256 of their bearer API key or by trusted
 * headers; higher-priority classes are tried first; the default class takes the rest.
 *
 * <p>Concurrency: the classes are an immutable {@link Snapshot} behind a volatile field; callers
 * are resolved against whichever snapshot they read, and {@link #replace} publishes a new one.
 */
public final class TrafficClasses {
  /** @param matchesKeys whether any class matches by API key: only then is a key hashed */
  private record Snapshot(List<TrafficClassConfig> ordered, TrafficClassConfig fallback, boolean matchesKeys) {
    static Snapshot of(List<TrafficClassConfig> classes) {
      List<TrafficClassConfig> sorted = new ArrayList<>(classes);
      sorted.sort(Comparator.comparingInt((TrafficClassConfig c) -> -c.spec().priority()));
      return new Snapshot(List.copyOf(sorted),
          classes.stream().filter(c -> c.spec().isDefault()).findFirst().orElse(null),
          classes.stream().anyMatch(c -> !c.spec().match().apiKeySha256().isEmpty()));
    }
  }

  private volatile Snapshot snapshot;

  public TrafficClasses(List<TrafficClassConfig> classes) {
    this.snapshot = Snapshot.of(classes);
  }

  /** Makes {@code classes} the traffic classes; callers being resolved keep the previous set. */
  public void replace(List<TrafficClassConfig> classes) {
    this.snapshot = Snapshot.of(classes);
  }

  /** The classes in force, highest priority first. */
  public List<TrafficClassConfig> all() {
    return snapshot.ordered();
  }

  /**
   * @param headers looks a request header up by name (case-insensitive), null when absent
   */
  public Caller resolve(UnaryOperator<String> headers) {
    Snapshot current = snapshot;
    String keyDigest = current.matchesKeys() ? digestOfBearer(headers.apply("authorization")) : null;
    for (TrafficClassConfig candidate : current.ordered()) {
      if (matches(candidate.spec().match(), headers, keyDigest)) {
        return caller(candidate, headers);
      }
    }
    return current.fallback() == null ? Caller.DEFAULT : caller(current.fallback(), headers);
  }

  private static boolean matches(TrafficClassSpec.TrafficMatch match, UnaryOperator<String> headers, String keyDigest) {
    boolean byKey = keyDigest != null && match.apiKeySha256().stream().anyMatch(keyDigest::equalsIgnoreCase);
    if (byKey) {
      return true;
    }
    if (match.headers().isEmpty()) {
      return false;
    }
    for (Map.Entry<String, String> header : match.headers().entrySet()) {
      if (!header.getValue().equals(headers.apply(header.getKey().toLowerCase(Locale.ROOT)))) {
        return false;
      }
    }
    return true;
  }

  private static Caller caller(TrafficClassConfig config, UnaryOperator<String> headers) {
    String header = config.spec().tenantHeader();
    String tenant = header == null ? null : headers.apply(header.toLowerCase(Locale.ROOT));
    return new Caller(config.name(), config.spec().priority(), tenant == null || tenant.isBlank() ? config.name() : tenant);
  }

  static String digestOfBearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}

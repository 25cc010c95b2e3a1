package io.sluice.router.runtime;

import io.sluice.crd.TrafficClassSpec;
import io.sluice.router.api.ApiException;
import io.sluice.router.api.OpenAiError;
import io.sluice.router.config.RouterSettings.AuthMode;
import io.sluice.router.config.TrafficClassConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Matches callers to traffic classes: by the SHA-256 of their bearer API key, else by trusted
 * headers; higher-priority classes are tried first; the default class takes the rest. With
 * authentication on, it also refuses unknown keys (401), models the class may not use and priority
 * headers it may not send (403).
 *
 * <p>A known key always decides: headers cannot move its caller to another class (a batch key with
 * {@code x-sluice-class: interactive} stays batch, and keeps its model limits). A class's
 * {@code match.headers} take part only when every header it names is one the operator declared
 * trusted ({@code RouterSettings.trustedHeaders}: set by a gateway in front, which strips what
 * clients send); any other header could be sent by the client itself.
 *
 * <p>Keys are held only as SHA-256 digests: listed in the class ({@code apiKeySha256}) or loaded
 * from files and Secrets by whoever reads those ({@link #setKeys}), which hashes them at once. A
 * caller's key is hashed, looked up by digest, and the digests compared with
 * {@link MessageDigest#isEqual} (constant time).
 *
 * <p>Concurrency: the classes and their keys are an immutable {@link Snapshot} behind a volatile
 * field; callers are resolved against whichever snapshot they read. {@link #replace} and
 * {@link #setKeys} are synchronized and publish a new snapshot.
 */
public final class TrafficClasses {
  /** The header a caller may send to set its priority, when its class allows it. */
  public static final String PRIORITY_HEADER = "x-sluice-priority";

  private record KeyOwner(byte[] digest, TrafficClassConfig owner) {}

  private record Snapshot(List<TrafficClassConfig> ordered, TrafficClassConfig fallback, Map<String, KeyOwner> keys,
      Set<String> trusted) {
    static Snapshot of(List<TrafficClassConfig> classes, Map<String, Map<String, List<byte[]>>> loaded,
        Set<String> trusted) {
      List<TrafficClassConfig> sorted = new ArrayList<>(classes);
      sorted.sort(Comparator.comparingInt((TrafficClassConfig c) -> -c.spec().priority()));
      Map<String, KeyOwner> keys = new HashMap<>();
      for (TrafficClassConfig config : sorted) { // a key listed by two classes picks the higher one
        for (String hex : config.spec().match().apiKeySha256()) {
          byte[] digest = HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
          keys.putIfAbsent(HexFormat.of().formatHex(digest), new KeyOwner(digest, config));
        }
        for (Map<String, List<byte[]>> source : loaded.values()) {
          for (byte[] digest : source.getOrDefault(config.name(), List.of())) {
            keys.putIfAbsent(HexFormat.of().formatHex(digest), new KeyOwner(digest, config));
          }
        }
      }
      return new Snapshot(List.copyOf(sorted),
          classes.stream().filter(c -> c.spec().isDefault()).findFirst().orElse(null), Map.copyOf(keys), trusted);
    }
  }

  private List<TrafficClassConfig> classes;
  /** Digests loaded by each source (files, Secrets), by class name. Guarded by this. */
  private final Map<String, Map<String, List<byte[]>>> loaded = new HashMap<>();
  /** Lower-case names of the headers a gateway in front sets; guarded by this. */
  private Set<String> trusted = Set.of();
  private volatile Snapshot snapshot;

  public TrafficClasses(List<TrafficClassConfig> classes) {
    this.classes = List.copyOf(classes);
    this.snapshot = Snapshot.of(this.classes, loaded, trusted);
  }

  /** Makes {@code classes} the traffic classes; callers being resolved keep the previous set. */
  public synchronized void replace(List<TrafficClassConfig> classes) {
    this.classes = List.copyOf(classes);
    this.snapshot = Snapshot.of(this.classes, loaded, trusted);
  }

  /**
   * Makes {@code headers} the trusted ones: only classes whose {@code match.headers} are all among
   * them can be matched by header.
   */
  public synchronized void trustHeaders(Collection<String> headers) {
    Set<String> lower = new HashSet<>();
    headers.forEach(header -> lower.add(header.toLowerCase(Locale.ROOT)));
    this.trusted = Set.copyOf(lower);
    this.snapshot = Snapshot.of(classes, loaded, trusted);
  }

  /** The headers of {@code spec}'s match that are not trusted (lower case); empty when all are. */
  public synchronized List<String> untrustedHeaders(TrafficClassSpec spec) {
    return untrusted(spec.match(), trusted);
  }

  private static List<String> untrusted(TrafficClassSpec.TrafficMatch match, Set<String> trusted) {
    return match.headers().keySet().stream().map(h -> h.toLowerCase(Locale.ROOT))
        .filter(h -> !trusted.contains(h)).sorted().toList();
  }

  /**
   * Makes {@code digests} (SHA-256 of API keys, by class name) the keys {@code source} provides,
   * replacing what it provided before.
   */
  public synchronized void setKeys(String source, Map<String, ? extends Collection<byte[]>> digests) {
    Map<String, List<byte[]>> copy = new HashMap<>();
    digests.forEach((name, list) -> copy.put(name, List.copyOf(list)));
    loaded.put(source, Map.copyOf(copy));
    this.snapshot = Snapshot.of(classes, loaded, trusted);
  }

  /** The classes in force, highest priority first. */
  public List<TrafficClassConfig> all() {
    return snapshot.ordered();
  }

  /** How many distinct API keys are known, for logs and tests. */
  public int keyCount() {
    return snapshot.keys().size();
  }

  /**
   * The caller's class, with no authentication: an unknown key counts as no key.
   *
   * @param headers looks a request header up by name (case-insensitive), null when absent
   */
  public Caller resolve(UnaryOperator<String> headers) {
    Snapshot current = snapshot;
    TrafficClassConfig byKey = current.keys().isEmpty() ? null : keyOwner(current, headers.apply("authorization"));
    return caller(classOf(current, byKey, headers), headers);
  }

  /**
   * The caller's class as its key and headers say (null: no class at all); throws an
   * {@link ApiException} with 401 for a missing or unknown key, as {@code mode} demands.
   */
  public TrafficClassConfig authenticate(UnaryOperator<String> headers, AuthMode mode) {
    Snapshot current = snapshot;
    String authorization = headers.apply("authorization");
    boolean sentKey = authorization != null && !authorization.isBlank();
    TrafficClassConfig byKey = null;
    if (sentKey && (mode != AuthMode.NONE || !current.keys().isEmpty())) {
      byKey = keyOwner(current, authorization);
      if (byKey == null && mode != AuthMode.NONE) {
        throw new ApiException(OpenAiError.invalidApiKey(
            "Incorrect API key provided. Send a key this router knows as 'Authorization: Bearer <key>'."));
      }
    } else if (!sentKey && mode == AuthMode.REQUIRED) {
      throw new ApiException(OpenAiError.invalidApiKey(
          "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."));
    }
    return classOf(current, byKey, headers);
  }

  /**
   * The caller of {@code config} (from {@link #authenticate}) asking for {@code model}: throws an
   * {@link ApiException} with 403 for a model the class may not use or a priority header it may not
   * send, 400 for a priority header that is not a number.
   */
  public static Caller permit(TrafficClassConfig config, UnaryOperator<String> headers, String model) {
    if (config != null && !config.spec().models().isEmpty() && !config.spec().models().contains(model)) {
      throw new ApiException(OpenAiError.forbidden("model_not_allowed", "model",
          "Your API key may not use the model '" + model + "'."));
    }
    String asked = headers.apply(PRIORITY_HEADER);
    if (asked == null) {
      return caller(config, headers);
    }
    TrafficClassSpec spec = config == null ? null : config.spec();
    if (spec == null || !spec.allowPriorityHeader()) {
      throw new ApiException(OpenAiError.forbidden("priority_not_allowed", null,
          "Your traffic class may not set its priority with the " + PRIORITY_HEADER + " header."));
    }
    int priority;
    try {
      priority = Integer.parseInt(asked.trim());
    } catch (NumberFormatException e) {
      throw new ApiException(OpenAiError.badRequest(null, "The " + PRIORITY_HEADER + " header must be a whole number."));
    }
    if (priority < spec.priorityHeaderMin() || priority > spec.priorityHeaderMax()) {
      throw new ApiException(OpenAiError.forbidden("priority_not_allowed", null, "Your traffic class may set a priority from "
          + spec.priorityHeaderMin() + " to " + spec.priorityHeaderMax() + " only."));
    }
    Caller caller = caller(config, headers);
    return new Caller(caller.trafficClass(), priority, caller.tenant(), caller.objective());
  }

  private static TrafficClassConfig classOf(Snapshot current, TrafficClassConfig byKey, UnaryOperator<String> headers) {
    if (byKey != null) {
      return byKey; // a known key decides; headers cannot move its caller elsewhere
    }
    for (TrafficClassConfig candidate : current.ordered()) {
      if (matchesHeaders(candidate.spec().match(), headers, current.trusted())) {
        return candidate;
      }
    }
    return current.fallback();
  }

  private static TrafficClassConfig keyOwner(Snapshot current, String authorization) {
    byte[] digest = digestOfKey(bearerKey(authorization));
    if (digest == null) {
      return null;
    }
    KeyOwner owner = current.keys().get(HexFormat.of().formatHex(digest));
    return owner != null && MessageDigest.isEqual(owner.digest(), digest) ? owner.owner() : null;
  }

  private static boolean matchesHeaders(TrafficClassSpec.TrafficMatch match, UnaryOperator<String> headers,
      Set<String> trusted) {
    if (match.headers().isEmpty() || !untrusted(match, trusted).isEmpty()) {
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
    if (config == null) {
      return Caller.DEFAULT;
    }
    String header = config.spec().tenantHeader();
    String tenant = header == null ? null : headers.apply(header.toLowerCase(Locale.ROOT));
    return new Caller(config.name(), config.spec().priority(), tenant == null || tenant.isBlank() ? config.name() : tenant,
        config.spec().objective());
  }

  /**
   * Whose outputs a request's output teaches about (and whose are used to predict it): the tenant
   * its class's {@code tenantHeader} names, else its API key (by digest), else its address. A
   * client never shares a window with others merely by sending no tenant.
   */
  public static String learningSource(TrafficClassConfig config, UnaryOperator<String> headers, String address) {
    String header = config == null ? null : config.spec().tenantHeader();
    String tenant = header == null ? null : headers.apply(header.toLowerCase(Locale.ROOT));
    if (tenant != null && !tenant.isBlank()) {
      return "tenant:" + tenant;
    }
    String key = digestOfBearer(headers.apply("authorization"));
    if (key != null) {
      return "key:" + key.substring(0, 16);
    }
    return "address:" + address;
  }

  private static String bearerKey(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String key = authorization.substring(7).trim();
    return key.isEmpty() ? null : key;
  }

  /** The SHA-256 of an API key as it is stored and compared; null for null. */
  public static byte[] digestOfKey(String key) {
    if (key == null) {
      return null;
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  static String digestOfBearer(String authorization) {
    byte[] digest = digestOfKey(bearerKey(authorization));
    return digest == null ? null : HexFormat.of().formatHex(digest);
  }
}

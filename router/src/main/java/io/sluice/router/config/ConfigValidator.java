package io.sluice.router.config;

import io.sluice.crd.BudgetSpec;
import io.sluice.crd.EngineKind;
import io.sluice.crd.HealthSpec;
import io.sluice.crd.ModelPoolSpec;
import io.sluice.crd.QueueSpec;
import io.sluice.crd.SpecRules;
import io.sluice.crd.TokenizerSpec;
import io.sluice.crd.TrafficClassSpec;
import io.sluice.router.estimate.TiktokenCounter;
import io.sluice.scoring.PluginRegistry;
import io.sluice.scoring.ProfileException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of meaning after the structure has bound. The rules of single fields (ranges, sizes,
 * formats) are the crd records' own schema annotations, applied by {@link SpecRules}, the same ones
 * the CRD's schema carries; written here are only the rules the schema cannot say: between fields,
 * across resources, URLs, and what depends on static or cluster mode.
 */
final class ConfigValidator {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
  /** Headers that carry the caller's own claims, which no gateway setting makes trustworthy. */
  private static final Set<String> UNTRUSTABLE = Set.of("authorization", "x-sluice-priority", "host", "content-length",
      "transfer-encoding");

  private static final Pattern PROFILE_PATH = Pattern.compile("((?:filters|scorers|picker)[\\w\\[\\].]*)");

  private final ProblemCollector problems;
  /**
   * The plugin types a profile may name: {@link ConfigLoader#plugins()}, the router's one load,
   * asked for only when a pool sets {@code scoring} (a failed load is that pool's problem).
   */
  private final Supplier<PluginRegistry> plugins;
  /** True for resources read from a cluster: pods come from a selector, not from endpoints. */
  private final boolean cluster;
  private final Map<String, String> poolOfModel = new HashMap<>();
  private final Set<String> poolNames = new HashSet<>();
  private final Set<String> classNames = new HashSet<>();
  private String defaultClass;
  /** Documents of static classes that match by header: index, class name, the header names. */
  private final Map<Integer, Map.Entry<String, Set<String>>> headerClasses = new java.util.LinkedHashMap<>();
  /** Documents of static pools with {@code budget.coordination: redis}, by index, with the pool's name. */
  private final Map<Integer, String> redisPools = new java.util.LinkedHashMap<>();

  ConfigValidator(ProblemCollector problems, boolean cluster, Supplier<PluginRegistry> plugins) {
    this.problems = problems;
    this.cluster = cluster;
    this.plugins = plugins;
  }

  /**
   * Takes a pool already in force as known, without checking it again, so that a new or changed
   * one is checked against it (unique names and model names).
   */
  void remember(String name, ModelPoolSpec spec) {
    poolNames.add(name);
    spec.models().forEach(model -> poolOfModel.putIfAbsent(model, name));
  }

  /** Takes a traffic class already in force as known (unique names, a single default). */
  void remember(String name, TrafficClassSpec spec) {
    classNames.add(name);
    if (spec.isDefault() && defaultClass == null) {
      defaultClass = name;
    }
  }

  static boolean isDnsLabel(String name) {
    return DNS_LABEL.matcher(name).matches();
  }

  /** Reports what is wrong with one pool; true when it is fine. */
  boolean checkPool(String name, ModelPoolSpec spec) {
    int before = problems.problems().size();
    if (!poolNames.add(name)) {
      problems.add("/metadata/name", "a ModelPool named '" + name + "' is already defined");
    }
    specRules(spec);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < spec.models().size(); i++) {
      String model = spec.models().get(i);
      String at = "/spec/models/" + i;
      if (model == null || model.isBlank()) {
        problems.add(at, "a model name must not be empty");
      } else if (!seen.add(model)) {
        problems.add(at, "model '" + model + "' is listed twice");
      } else {
        String other = poolOfModel.putIfAbsent(model, name);
        if (other != null) {
          problems.add(at, "model '" + model + "' is already served by ModelPool '" + other + "'");
        }
      }
    }
    if (cluster) {
      checkSelector(spec);
    } else if (spec.endpoints().isEmpty()) {
      problems.add("/spec/endpoints", "endpoints must list at least one pod URL, e.g. http://127.0.0.1:8000");
    }
    if (!cluster && !spec.selector().isEmpty()) {
      problems.add("/spec/selector", "selector is for serve --kubernetes; a static pool lists endpoints");
    }
    if (!cluster && spec.targetPort() != null) {
      problems.add("/spec/targetPort", "targetPort is for serve --kubernetes; a static pool lists endpoints");
    }
    Set<String> endpoints = new HashSet<>();
    for (int i = 0; i < spec.endpoints().size(); i++) {
      String endpoint = spec.endpoints().get(i);
      String problem = endpointProblem(endpoint);
      if (problem != null) {
        problems.add("/spec/endpoints/" + i, problem);
      } else if (!endpoints.add(endpoint)) {
        problems.add("/spec/endpoints/" + i, "endpoint '" + endpoint + "' is listed twice");
      }
    }
    checkTokenizer(spec.tokenizer());
    checkBudget(spec.budget());
    if (!cluster && spec.budget().coordination() == io.sluice.crd.BudgetCoordination.REDIS) {
      redisPools.put(problems.document(), name);
    }
    checkAdmission(spec);
    checkHealth(spec.health());
    checkScoring(spec);
    for (int i = 0; i < spec.loraAdapters().size(); i++) {
      String adapter = spec.loraAdapters().get(i);
      if (adapter == null || !spec.models().contains(adapter)) {
        problems.add("/spec/loraAdapters/" + i, "adapter '" + adapter + "' must also be listed in models");
      }
    }
    return problems.problems().size() == before;
  }

  private void checkSelector(ModelPoolSpec spec) {
    if (!spec.endpoints().isEmpty()) {
      problems.add("/spec/endpoints", "endpoints are for a static config file; in a cluster the selector picks the pods");
    }
    if (spec.selector().isEmpty()) {
      problems.add("/spec/selector", "selector must name at least one pod label, e.g. {app: vllm-qwen}");
    }
    spec.selector().forEach((label, value) -> {
      if (label == null || label.isBlank() || value == null) {
        problems.add("/spec/selector", "a selector label needs a name and a value");
      }
    });
  }

  /** The rules the records declare for the CRD schema: the same ones, in a file or in a cluster. */
  private void specRules(Record spec) {
    for (SpecRules.Violation violation : SpecRules.check(spec, cluster)) {
      problems.add("/spec" + violation.pointer(), violation.message());
    }
  }

  private void checkAdmission(ModelPoolSpec spec) {
    if (spec.budget().tokensPerPod().auto() && spec.engine() == EngineKind.GENERIC) {
      problems.add("/spec/budget/tokensPerPod",
          "a generic engine does not report its KV-cache size: set tokensPerPod to a number of tokens");
    }
    QueueSpec queue = spec.queue();
    positive("/spec/queue/maxWait", queue.maxWait());
    if (queue.starvationThreshold().isNegative()) {
      problems.add("/spec/queue/starvationThreshold", "must not be negative");
    }
  }

  private void checkScoring(ModelPoolSpec spec) {
    if (spec.scoring() == null) {
      return;
    }
    try {
      plugins.get().validate(Profiles.of(spec.scoring()));
    } catch (ProfileException e) {
      for (String problem : e.problems()) {
        problems.add("/spec/scoring" + pointerOf(problem), problem);
      }
    } catch (RuntimeException e) {
      problems.add("/spec/scoring", "cannot be built: " + e.getMessage());
    }
  }

  /** {@code scorers[0].args.blockTokens (prefix-affinity): ...} points at {@code /scorers/0/args/blockTokens}. */
  private static String pointerOf(String problem) {
    Matcher path = PROFILE_PATH.matcher(problem);
    if (!path.lookingAt()) {
      return "";
    }
    return "/" + path.group(1).replaceAll("\\[(\\d+)]", ".$1").replace('.', '/');
  }

  private void checkHealth(HealthSpec health) {
    positive("/spec/health/ejectionTime", health.ejectionTime());
    if (health.maxEjectionTime().compareTo(health.ejectionTime()) < 0) {
      problems.add("/spec/health/maxEjectionTime", "must be at least ejectionTime");
    }
    if (health.scrapeInterval().toMillis() < 50) {
      problems.add("/spec/health/scrapeInterval", "must be at least 50ms");
    }
    positive("/spec/health/metricsStaleAfter", health.metricsStaleAfter());
  }

  /** Reports what is wrong with one traffic class; true when it is fine. */
  boolean checkClass(String name, TrafficClassSpec spec) {
    int before = problems.problems().size();
    if (!classNames.add(name)) {
      problems.add("/metadata/name", "a TrafficClass named '" + name + "' is already defined");
    }
    specRules(spec);
    if (spec.isDefault() && defaultClass != null) {
      problems.add("/spec/default", "TrafficClass '" + defaultClass + "' is already the default");
    } else if (spec.isDefault()) {
      defaultClass = name;
    }
    List<String> keys = spec.match().apiKeySha256();
    for (int i = 0; i < keys.size(); i++) {
      if (keys.get(i) == null || !SHA256_HEX.matcher(keys.get(i)).matches()) {
        problems.add("/spec/match/apiKeySha256/" + i,
            "must be 64 hex digits: the SHA-256 of the key, e.g. printf %s \"$KEY\" | sha256sum");
      }
    }
    spec.match().headers().keySet().forEach(header -> {
      if (header.isBlank()) {
        problems.add("/spec/match/headers", "a header name must not be empty");
      }
    });
    if (!cluster && !spec.match().headers().isEmpty()) {
      headerClasses.put(problems.document(), Map.entry(name, spec.match().headers().keySet()));
    }
    if (spec.match().apiKeySecretRef() != null) {
      if (!cluster) {
        problems.add("/spec/match/apiKeySecretRef", "Secrets are read with --kubernetes only; use apiKeyFiles");
      } else if (spec.match().apiKeySecretRef().name() == null || spec.match().apiKeySecretRef().name().isBlank()) {
        problems.add("/spec/match/apiKeySecretRef/name", "must name a Secret in the class's namespace");
      }
    }
    for (int i = 0; i < spec.match().apiKeyFiles().size(); i++) {
      String file = spec.match().apiKeyFiles().get(i);
      if (file == null || file.isBlank()) {
        problems.add("/spec/match/apiKeyFiles/" + i, "must be a file path");
      }
    }
    for (int i = 0; i < spec.models().size(); i++) {
      if (spec.models().get(i) == null || spec.models().get(i).isBlank()) {
        problems.add("/spec/models/" + i, "must be a model name");
      }
    }
    if (spec.priorityHeaderMin() > spec.priorityHeaderMax()) {
      problems.add("/spec/priorityHeaderMax", "must be at least priorityHeaderMin (" + spec.priorityHeaderMin() + ")");
    }
    if (spec.tenantHeader() != null && spec.tenantHeader().isBlank()) {
      problems.add("/spec/tenantHeader", "must not be empty");
    }
    return problems.problems().size() == before;
  }

  private void checkTokenizer(TokenizerSpec tokenizer) {
    switch (tokenizer.type()) {
      case HUGGINGFACE -> {
        if (tokenizer.path() == null || tokenizer.path().isBlank()) {
          problems.add("/spec/tokenizer/path",
              "tokenizer type huggingface needs path: the model's tokenizer.json (tokenizer_config.json beside it)");
        }
      }
      case TIKTOKEN -> {
        if (tokenizer.encoding() == null || !TiktokenCounter.known().contains(tokenizer.encoding())) {
          problems.add("/spec/tokenizer/encoding", "tokenizer type tiktoken needs a known encoding, one of "
              + TiktokenCounter.known() + (tokenizer.encoding() == null ? "" : "; got '" + tokenizer.encoding() + "'"));
        }
      }
      default -> { }
    }
    positive("/spec/tokenizer/timeout", tokenizer.timeout());
  }

  private void checkBudget(BudgetSpec budget) {
    if (budget.minReservationTokens() >= 0 && budget.minReservationTokens() > budget.maxReservationTokens()) {
      problems.add("/spec/budget/maxReservationTokens",
          "must be at least minReservationTokens (" + budget.minReservationTokens() + ")");
    }
  }

  boolean checkSettings(RouterSettings settings) {
    int before = problems.problems().size();
    specRules(settings);
    positive("/spec/connectTimeout", settings.connectTimeout());
    positive("/spec/responseTimeout", settings.responseTimeout());
    positive("/spec/idleTimeout", settings.idleTimeout());
    if (settings.drainTimeout().isNegative()) {
      problems.add("/spec/drainTimeout", "must not be negative");
    }
    checkRedis(settings.redis());
    positive("/spec/requestTimeout", settings.requestTimeout());
    positive("/spec/clientIdleTimeout", settings.clientIdleTimeout());
    for (int i = 0; i < settings.trustedHeaders().size(); i++) {
      String header = settings.trustedHeaders().get(i);
      if (header == null || !HEADER_NAME.matcher(header).matches()) {
        problems.add("/spec/trustedHeaders/" + i, "must be a header name (letters, digits, '-')");
      } else if (UNTRUSTABLE.contains(header.toLowerCase(java.util.Locale.ROOT))) {
        problems.add("/spec/trustedHeaders/" + i, "'" + header + "' is the caller's own and cannot be trusted");
      }
    }
    if (settings.maxBufferedBodyBytes() != null && settings.maxBufferedBodyBytes() < settings.maxBodyBytes()) {
      problems.add("/spec/maxBufferedBodyBytes", "must be at least maxBodyBytes (" + settings.maxBodyBytes()
          + "), or no body of the largest size could ever be read");
    }
    positive("/spec/firstRequestTimeout", settings.firstRequestTimeout());
    positive("/spec/clientWriteTimeout", settings.clientWriteTimeout());
    if (settings.maxStreamDuration() != null) {
      positive("/spec/maxStreamDuration", settings.maxStreamDuration());
    }
    checkCors(settings.cors());
    if (settings.tls() != null) {
      if (settings.tls().certFile() == null || settings.tls().certFile().isBlank()) {
        problems.add("/spec/tls/certFile", "TLS needs certFile: a PEM certificate chain");
      }
      if (settings.tls().keyFile() == null || settings.tls().keyFile().isBlank()) {
        problems.add("/spec/tls/keyFile", "TLS needs keyFile: a PEM private key");
      }
    }
    return problems.problems().size() == before;
  }

  private static final Pattern ORIGIN = Pattern.compile("https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+])(:[0-9]{1,5})?");

  private void checkCors(RouterSettings.Cors cors) {
    List<String> origins = cors.allowedOrigins();
    for (int i = 0; i < origins.size(); i++) {
      String origin = origins.get(i);
      if ("*".equals(origin)) {
        if (origins.size() > 1) {
          problems.add("/spec/cors/allowedOrigins/" + i, "'*' allows every origin and cannot be listed with others");
        }
      } else if (origin == null || !ORIGIN.matcher(origin).matches()) {
        problems.add("/spec/cors/allowedOrigins/" + i, "must be an origin, scheme://host[:port] with no path "
            + "(http or https), or '*'");
      }
    }
    checkHeaderNames("/spec/cors/allowedHeaders/", cors.allowedHeaders());
    checkHeaderNames("/spec/cors/exposedHeaders/", cors.exposedHeaders());
  }

  private void checkHeaderNames(String pointer, List<String> headers) {
    for (int i = 0; i < headers.size(); i++) {
      if (headers.get(i) == null || !HEADER_NAME.matcher(headers.get(i)).matches()) {
        problems.add(pointer + i, "must be a header name (letters, digits, '-')");
      }
    }
  }

  private void checkRedis(RedisSettings redis) {
    if (redis.address() != null) {
      String problem = redisAddressProblem(redis.address());
      if (problem != null) {
        problems.add("/spec/redis/address", problem);
      }
    }
    positive("/spec/redis/timeout", redis.timeout());
    if (redis.leaseTtl().compareTo(Duration.ofMillis(300)) < 0) {
      problems.add("/spec/redis/leaseTtl", "must be at least 300ms (shares are renewed every third of it)");
    }
  }

  private static String redisAddressProblem(String address) {
    URI uri;
    try {
      uri = new URI(address);
    } catch (URISyntaxException e) {
      return "'" + address + "' is not a URL: " + e.getReason();
    }
    if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
      return "'" + address + "' must start with redis:// or rediss://";
    }
    if (uri.getHost() == null) {
      return "'" + address + "' has no host";
    }
    return null;
  }

  void checkWhole(List<PoolConfig> pools, List<RouterSettings> settings, boolean poolsRequired) {
    boolean redis = !settings.isEmpty() && settings.get(0).redis().configured();
    if (!redis) {
      redisPools.forEach((document, name) -> {
        problems.enter(document, "ModelPool/" + name, "");
        problems.add("/spec/budget/coordination", "coordination: redis needs the Redis server: set redis.address "
            + "in RouterSettings, e.g. redis://sluice-redis:6379");
      });
    }
    List<String> trusted = settings.isEmpty() ? List.of()
        : settings.get(0).trustedHeaders().stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList();
    headerClasses.forEach((document, named) -> {
      List<String> untrusted = named.getValue().stream().filter(h -> !trusted.contains(h.toLowerCase(java.util.Locale.ROOT)))
          .sorted().toList();
      if (!untrusted.isEmpty()) {
        problems.enter(document, "TrafficClass/" + named.getKey(), "");
        problems.add("/spec/match/headers", "header" + (untrusted.size() == 1 ? " " : "s ") + String.join(", ", untrusted)
            + " not in RouterSettings trustedHeaders: a client could send " + (untrusted.size() == 1 ? "it" : "them")
            + " itself and pick this class. List " + (untrusted.size() == 1 ? "it" : "them")
            + " in trustedHeaders once a gateway in front sets " + (untrusted.size() == 1 ? "it" : "them")
            + " (and strips what clients send)");
      }
    });
    problems.enter(0, "", "");
    if (settings.size() > 1) {
      problems.add("", "RouterSettings is defined " + settings.size() + " times; define it at most once");
    }
    if (poolsRequired && pools.isEmpty() && poolNames.isEmpty()) {
      problems.add("", "no ModelPool is defined; the router would have nothing to route to");
    }
  }

  private void positive(String pointer, Duration value) {
    if (value.isZero() || value.isNegative()) {
      problems.add(pointer, "must be longer than zero");
    }
  }

  private static String endpointProblem(String endpoint) {
    if (endpoint == null || endpoint.isBlank()) {
      return "an endpoint must not be empty";
    }
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      return "'" + endpoint + "' is not a URL: " + e.getReason();
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      return "'" + endpoint + "' must start with http:// or https://";
    }
    if (uri.getHost() == null) {
      return "'" + endpoint + "' has no host";
    }
    if (uri.getPort() > 65535) {
      return "'" + endpoint + "' has an invalid port";
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !"/".equals(uri.getRawPath())) {
      return "'" + endpoint + "' must not have a path: the router forwards /v1/... to the pod's root";
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      return "'" + endpoint + "' must be scheme://host:port only";
    }
    return null;
  }
}

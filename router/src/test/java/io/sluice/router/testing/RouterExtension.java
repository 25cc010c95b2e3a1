package io.sluice.router.testing;

import io.sluice.router.SluiceServer;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link RouterHarness} in front of {@link FakeEngine}s, started and stopped by JUnit: on a
 * static {@code @RegisterExtension} field once for the class, on an instance field once per test.
 * The engines start on the harness's Vert.x, the router on a one-pool config serving the builder's
 * models from them (see {@link RouterHarness#config}); the engines close before the router.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RouterExtension router = RouterExtension.builder()
 *     .settings("maxBodyBytes: 2048")
 *     .build();
 * }</pre>
 */
public final class RouterExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback {
  /** YAML worked out when the router starts (after JUnit has filled {@code @TempDir} fields). */
  @FunctionalInterface
  public interface Yaml {
    String yaml(RouterExtension router) throws Exception;
  }

  /** Work a test needs done before its router starts (a certificate, a log appender, a key file). */
  @FunctionalInterface
  public interface Step {
    void run() throws Exception;
  }

  private final Builder spec;
  private RouterHarness harness;
  private final Map<String, FakeEngine> engines = new LinkedHashMap<>();
  private Path keyDir;
  private boolean perTest;

  private RouterExtension(Builder spec) {
    this.spec = spec;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (harness == null) { // registered on an instance field: one router per test
      perTest = true;
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (perTest) {
      stop();
    }
  }

  private void start() throws Exception {
    spec.beforeStart.run();
    harness = new RouterHarness();
    for (String name : spec.engines) {
      FakeEngine engine = new FakeEngine(harness.vertx, name);
      spec.engineSetUp.accept(engine);
      engines.put(name, engine.start());
    }
    harness.start(RouterHarness.config(spec.models, urls(), documents()));
  }

  private String documents() throws Exception {
    List<String> documents = new ArrayList<>();
    if (spec.settings != null) {
      String settings = spec.settings.yaml(this);
      documents.add("""
          apiVersion: sluice.io/v1alpha1
          kind: RouterSettings
          metadata: {name: settings}
          """ + (settings.startsWith("{") ? "spec: " + settings + "\n"
              : "spec:\n" + settings.stripTrailing().indent(2)));
    }
    for (Map.Entry<String, String> keys : spec.apiKeys.entrySet()) {
      documents.add("""
          apiVersion: sluice.io/v1alpha1
          kind: TrafficClass
          metadata: {name: %s}
          spec:
            match: {apiKeyFiles: ["%s"]}
          """.formatted(keys.getKey(), keyFile(keys.getKey(), keys.getValue())));
    }
    if (spec.documents != null) {
      String yaml = spec.documents.yaml(this);
      if (!yaml.isEmpty()) {
        documents.add(yaml);
      }
    }
    return String.join("---\n", documents);
  }

  private Path keyFile(String trafficClass, String keys) throws Exception {
    if (keyDir == null) {
      keyDir = Files.createTempDirectory("sluice-keys");
    }
    return Files.writeString(keyDir.resolve(trafficClass + "-keys"), keys);
  }

  private void stop() throws Exception {
    try {
      for (FakeEngine engine : engines.values()) {
        engine.close();
      }
      harness.close();
    } finally {
      engines.clear();
      harness = null;
      if (keyDir != null) {
        try (Stream<Path> files = Files.walk(keyDir)) {
          for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(file);
          }
        }
        keyDir = null;
      }
    }
  }

  /** The URLs of the engines, in the builder's order. */
  public List<String> urls() {
    return engines.values().stream().map(FakeEngine::url).toList();
  }

  public RouterHarness harness() {
    return harness;
  }

  /** The first engine (the only one, in most tests). */
  public FakeEngine engine() {
    return engines.values().iterator().next();
  }

  public FakeEngine engine(String name) {
    FakeEngine engine = engines.get(name);
    if (engine == null) {
      throw new IllegalArgumentException("no engine " + name + "; there are " + engines.keySet());
    }
    return engine;
  }

  public SluiceServer server() {
    return harness.router;
  }

  public Vertx vertx() {
    return harness.vertx;
  }

  public HttpClient http() {
    return harness.http;
  }

  public String baseUrl() {
    return harness.baseUrl();
  }

  public String adminUrl() {
    return harness.adminUrl();
  }

  public HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    return harness.post(path, contentType, body);
  }

  public HttpResponse<String> postJson(String path, String body) throws Exception {
    return harness.postJson(path, body);
  }

  public HttpResponse<String> get(String url) throws Exception {
    return harness.get(url);
  }

  /** What a test needs: engines, models, router settings, API-key classes, other YAML documents. */
  public static final class Builder {
    private List<String> engines = List.of("a");
    private Consumer<FakeEngine> engineSetUp = engine -> { };
    private String models = "m1";
    private Yaml settings;
    private final Map<String, String> apiKeys = new LinkedHashMap<>();
    private Yaml documents;
    private Step beforeStart = () -> { };

    private Builder() {
    }

    /** Runs before the engines and the router start (after JUnit has filled {@code @TempDir} fields). */
    public Builder beforeStart(Step step) {
      beforeStart = step;
      return this;
    }

    /** The fake engines' names (default: one, {@code a}). */
    public Builder engines(String... names) {
      engines = List.of(names);
      return this;
    }

    /** Runs on every engine before it starts (e.g. to pace its streams). */
    public Builder eachEngine(Consumer<FakeEngine> setUp) {
      engineSetUp = setUp;
      return this;
    }

    /** The pool's models as they go between the brackets of {@code models: [...]} (default {@code m1}). */
    public Builder models(String models) {
      this.models = models;
      return this;
    }

    /** The spec of a RouterSettings document: a YAML block, or a flow mapping ({@code {...}}). */
    public Builder settings(String spec) {
      return settings(router -> spec);
    }

    /** The settings' spec, worked out when the router starts. */
    public Builder settings(Yaml spec) {
      settings = spec;
      return this;
    }

    /** A traffic class matched by the keys (the lines of its key file), written to a temporary file. */
    public Builder apiKeys(String trafficClass, String keys) {
      apiKeys.put(trafficClass, keys);
      return this;
    }

    /** Further YAML documents, after the settings and the key classes. */
    public Builder documents(Yaml yaml) {
      documents = yaml;
      return this;
    }

    public Builder documents(String yaml) {
      return documents(router -> yaml);
    }

    public RouterExtension build() {
      return new RouterExtension(this);
    }
  }
}

package io.sluice.router.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/metrics.md cannot drift from the code. A real router in front of fake engines is driven
 * through the paths that create series (success, stream, bad input, a queued request, an engine
 * 500, a pod that refuses connections, an engine tokenizer that fails); its /metrics page then
 * must hold exactly the documented {@code sluice_} metrics, each with exactly the documented labels.
 * Every meter name registered anywhere in the router's sources must have shown up, so a meter
 * added on a path this test does not drive fails here until the test drives it (and the doc lists it).
 */
class MetricsDocsTest {
  private static final Pattern TYPE = Pattern.compile("# TYPE (sluice_\\w+) (\\w+)");
  private static final Pattern SAMPLE = Pattern.compile("(sluice_\\w+)\\{([^}]*)}.*");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"");
  /** A meter named in the sources: {@code Counter.builder("sluice.x")}, {@code registry.counter("sluice.x")}, ... */
  private static final Pattern METER_NAME =
      Pattern.compile("(?:builder|counter|gauge|timer|summary)\\(\\s*\"(sluice\\.[a-z_.]+)\"");
  /**
   * Metrics created only in modes this test does not drive (e.g. a backing service it cannot
   * start), by Prometheus name, with the reason. They must still be documented and still be
   * named in the sources; their labels are not checked. Empty while every path is driven.
   */
  private static final Map<String, String> NOT_DRIVEN = Map.of();
  private static final Set<String> BUCKET_LABELS = Set.of("le", "quantile");

  /** The sluice_ metric families on /metrics after the traffic, with their label names. */
  private static Map<String, Set<String>> exposed;

  @BeforeAll
  static void driveTraffic() throws Exception {
    exposed = scrapeAfterTraffic();
  }

  @Test
  void metricsPageAndDocListTheSameMetricsWithTheSameLabels() {
    Map<String, Set<String>> documented = new TreeMap<>();
    List<DocTables.Entry> entries = DocTables.tables(DocTables.read("metrics.md")).get("metrics");
    assertThat(entries).as("metrics.md has a table marked <!-- fields: metrics -->").isNotNull();
    for (DocTables.Entry entry : entries) {
      Set<String> labels = new TreeSet<>(DocTables.codes(entry.cells().get("labels")));
      assertThat(documented.put(entry.name(), labels)).as("metrics.md lists %s twice", entry.name()).isNull();
    }

    Map<String, Set<String>> expected = new TreeMap<>(exposed);
    NOT_DRIVEN.keySet().forEach(name -> expected.put(name, documented.getOrDefault(name, Set.of())));
    assertThat(documented)
        .as("metrics.md (actual) against the metrics and labels on /metrics (expected)")
        .isEqualTo(expected);
  }

  @Test
  void everyMeterTheSourcesRegisterIsReachedByTheTraffic() throws Exception {
    Set<String> registered = new TreeSet<>();
    Path sources = Stream.of(Path.of("src/main/java"), Path.of("router/src/main/java"))
        .filter(Files::isDirectory).findFirst().orElseThrow();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher meter = METER_NAME.matcher(Files.readString(file));
        while (meter.find()) {
          registered.add(meter.group(1).replace('.', '_'));
        }
      }
    }
    assertThat(registered).as("meter names found in the router's sources").hasSizeGreaterThan(15);
    for (String name : NOT_DRIVEN.keySet()) {
      assertThat(registered).as("%s is listed as not driven but no source registers it", name)
          .anyMatch(base -> name.equals(base) || name.startsWith(base + "_"));
    }
    Set<String> reachable = new TreeSet<>(exposed.keySet());
    reachable.addAll(NOT_DRIVEN.keySet());
    for (String base : registered) {
      assertThat(reachable).as("a metric for meter %s: drive the path that creates it in this test", base)
          .anyMatch(name -> name.equals(base) || name.startsWith(base + "_"));
    }
  }

  /**
   * The sluice_ metric families on /metrics after the traffic, with their label names. A timer's
   * {@code _max} gauge belongs to the timer's family.
   */
  private static Map<String, Set<String>> scrapeAfterTraffic() throws Exception {
    try (RouterHarness harness = new RouterHarness();
        FakeEngine slow = new FakeEngine(harness.vertx, "slow").start();
        FakeEngine faulty = new FakeEngine(harness.vertx, "faulty").start()) {
      faulty.mode = FakeEngine.Mode.ERROR_500;
      slow.streamTokens = 20;
      slow.tokenIntervalMs = 20;
      String refusing = "http://127.0.0.1:" + freePort();
      harness.start(RouterHarness.config("small", List.of(slow.url()), """
          apiVersion: sluice.io/v1alpha1
          kind: ModelPool
          metadata: {name: pool-b}
          spec:
            models: [broken]
            endpoints: ["%s", "%s"]
            engine: vllm
            tokenizer: {type: engine, timeout: 1s}
            budget: {tokensPerPod: 50000}
          ---
          apiVersion: sluice.io/v1alpha1
          kind: TrafficClass
          metadata: {name: batch}
          spec: {priority: 0, default: true, objective: {ttft: 30s, tpot: 1s}}
          """.formatted(faulty.url(), refusing)).replace("tokensPerPod: 100000}", "tokensPerPod: 400}"));

      String big = "{\"model\":\"small\",\"stream\":true,\"max_tokens\":300,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
      // Each request reserves about 320 of the 400 tokens: the second waits in the queue for the first.
      CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> post(harness, big));
      RouterHarness.eventually(() -> slow.received.size() == 1);
      HttpResponse<String> second = post(harness, big);
      assertThat(first.get().statusCode()).isEqualTo(200);
      assertThat(second.statusCode()).isEqualTo(200);
      assertThat(harness.postJson("/v1/chat/completions",
          "{\"model\":\"small\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode())
          .isEqualTo(200);
      assertThat(harness.postJson("/v1/chat/completions", "{not json").statusCode()).isEqualTo(400);
      assertThat(harness.postJson("/v1/chat/completions",
          "{\"model\":\"nobody\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(404);
      // pool-b: one pod answers 500, the other refuses connections; its engine tokenizer fails too.
      for (int i = 0; i < 4; i++) {
        assertThat(harness.postJson("/v1/chat/completions",
            "{\"model\":\"broken\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .statusCode()).isIn(500, 502);
      }
      // Resources refused or accepted by cluster discovery: the calls KubernetesDiscovery makes.
      harness.router.metrics().configRejected("ModelPool", "llm/bad");
      harness.router.metrics().configAccepted("ModelPool", "llm/bad", false);
      // A changed static config file, as ConfigFileWatcher reports it.
      harness.router.metrics().configReloaded("applied");
      // A failed call to the shared ledger in Redis: the call RedisLedger's failure path makes.
      harness.router.metrics().ledgerFailed("pool-a", new java.io.IOException("connection refused"));
      // Overload and abuse paths, driven for real by OverloadTest, AbuseTest and HealthAndRetryTest:
      // the calls BodyReader, AttemptTimer's cut-off and Forwarder's retry budget make.
      harness.router.metrics().overloadRefused("body_memory");
      harness.router.metrics().streamCutOff("pool-a", "client_write_timeout");
      harness.router.metrics().retryBudgetExhausted("pool-a");

      RouterHarness.eventually(() -> scrape(harness).contains("sluice_engine_scrape_errors_total"));
      RouterHarness.eventually(() -> scrape(harness).contains("sluice_queue_wait_seconds"));
      return families(scrape(harness));
    }
  }

  static Map<String, Set<String>> families(String page) {
    Map<String, Set<String>> families = new TreeMap<>();
    for (String line : page.split("\n")) {
      Matcher type = TYPE.matcher(line);
      if (type.matches()) {
        families.putIfAbsent(type.group(1), new TreeSet<>());
      }
    }
    for (String line : page.split("\n")) {
      Matcher sample = SAMPLE.matcher(line);
      if (sample.matches()) {
        String family = owner(families.keySet(), sample.group(1));
        Matcher label = LABEL.matcher(sample.group(2));
        while (label.find()) {
          if (!BUCKET_LABELS.contains(label.group(1))) {
            families.get(family).add(label.group(1));
          }
        }
      }
    }
    // A timer's _max gauge is part of the timer.
    new ArrayList<>(families.keySet()).stream()
        .filter(name -> name.endsWith("_max") && families.containsKey(name.substring(0, name.length() - 4)))
        .forEach(families::remove);
    return families;
  }

  /** The family a sample belongs to: the longest family name it starts with. */
  private static String owner(Set<String> families, String sample) {
    return families.stream().filter(f -> sample.equals(f) || sample.startsWith(f + "_"))
        .max((a, b) -> Integer.compare(a.length(), b.length()))
        .orElseThrow(() -> new AssertionError("sample without a # TYPE line: " + sample));
  }

  private static String scrape(RouterHarness harness) {
    try {
      return harness.get(harness.adminUrl() + "/metrics").body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> post(RouterHarness harness, String body) {
    try {
      return harness.postJson("/v1/chat/completions", body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package io.sluice.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.router.SluiceServer;
import io.sluice.router.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard asks only for metrics a real router exports: a router runs here in front
 * of a small vLLM-like backend, serves requests that are admitted, queued and failed, and its
 * /metrics page is compared with every PromQL expression of the dashboard.
 */
class DashboardMetricsTest {
  private static final Path DASHBOARD = Path.of("../deploy/grafana/sluice-dashboard.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Labels Prometheus adds to every series from the scrape target (the router's pod, namespace, ...). */
  private static final Set<String> TARGET_LABELS = Set.of("namespace", "service", "container", "endpoint", "job",
      "instance");
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "and", "or", "unless", "offset", "inf", "nan");
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
  private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");

  private static Vertx vertx;
  private static HttpServer engine;
  private static SluiceServer router;
  /** Sample name -> label names seen on it. */
  private static final Map<String, Set<String>> exported = new HashMap<>();
  private static String page;

  @BeforeAll
  static void runRouterAndScrape() throws Exception {
    engine = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    engine.setExecutor(Executors.newCachedThreadPool());
    engine.createContext("/metrics", exchange -> reply(exchange, 200, "text/plain", """
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="m"} 1
        vllm:num_requests_waiting{engine="0",model_name="m"} 0
        vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25
        vllm:num_preemptions_total{engine="0",model_name="m"} 3
        """));
    engine.createContext("/v1/chat/completions", DashboardMetricsTest::chat);
    engine.start();
    // Two pods (two names of one backend), so a failed request is retried on the other.
    int port = engine.getAddress().getPort();
    ConfigLoader.Result config = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: chat}
        spec:
          models: [m]
          endpoints: ["http://127.0.0.1:%d", "http://localhost:%d"]
          engine: vllm
          budget: {tokensPerPod: 400}
          health: {scrapeInterval: 100ms, maxAttempts: 2}
        """.formatted(port, port), "dashboard-test.yaml");
    assertThat(config.problems()).isEmpty();
    vertx = Vertx.vertx();
    router = SluiceServer.start(vertx, config.config(), SluiceServer.Options.loopback(0, 0))
        .await(10, TimeUnit.SECONDS);

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    // Three slow requests of ~270 tokens on two 400-token pods: the third waits in the queue.
    List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      slow.add(chat(http, "slow", 1000));
      Thread.sleep(50);
    }
    for (CompletableFuture<HttpResponse<String>> response : slow) {
      assertThat(response.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    // A 500 from the first pod is retried on the second, which fails too.
    assertThat(chat(http, "fail", 10).get(20, TimeUnit.SECONDS).statusCode()).isGreaterThanOrEqualTo(500);
    HttpRequest unknownModel = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port()
        + "/v1/chat/completions")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).build();
    assertThat(http.send(unknownModel, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    do {
      page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.adminPort() + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      Thread.sleep(50);
    } while (!page.matches("(?s).*sluice_engine_preemptions_total\\{[^}]*} 3\\.0.*") && System.nanoTime() < deadline);
    for (String line : page.lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher name = NAME.matcher(line);
      assertThat(name.lookingAt()).as(line).isTrue();
      Set<String> labels = exported.computeIfAbsent(name.group(), k -> new HashSet<>());
      Matcher label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(line);
      int end = line.indexOf('}');
      while (label.find() && label.start() < end) {
        labels.add(label.group(1));
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.shutdown().await(20, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (engine != null) {
      engine.stop(0);
    }
  }

  @Test
  void everyMetricTheDashboardQueriesIsExported() throws Exception {
    Set<String> used = new TreeSet<>();
    List<String> missing = new ArrayList<>();
    for (String expr : expressions()) {
      for (String metric : metricNames(expr)) {
        used.add(metric);
        if (!exported.containsKey(metric)) {
          missing.add(metric + " in " + expr);
        }
      }
      Matcher selector = SELECTOR.matcher(expr);
      while (selector.find()) {
        Set<String> labels = exported.getOrDefault(selector.group(1), Set.of());
        Matcher label = MATCHER_LABEL.matcher(selector.group(2));
        while (label.find()) {
          if (!TARGET_LABELS.contains(label.group(1)) && !labels.contains(label.group(1))) {
            missing.add("label " + label.group(1) + " of " + selector.group(1) + " in " + expr);
          }
        }
      }
    }
    assertThat(missing).as("exported:\n" + page).isEmpty();
    // The panels the dashboard exists for: queue depth, wait, admissions, budget vs reserved per pod,
    // estimate error and preemptions seen on engines.
    assertThat(used).contains("sluice_queue_requests", "sluice_queue_wait_seconds_bucket",
        "sluice_admission_outcomes_total", "sluice_pod_budget_tokens", "sluice_pod_reserved_tokens",
        "sluice_estimate_ratio_bucket", "sluice_engine_preemptions_total");
  }

  @Test
  void theScrapeHasTheSeriesTheTestDrove() {
    assertThat(page).contains("sluice_admission_outcomes_total{class=\"default\",outcome=\"queued\",pool=\"chat\"}")
        .contains("sluice_admission_outcomes_total{class=\"default\",outcome=\"admitted_from_queue\",pool=\"chat\"}")
        .containsPattern("sluice_requests_total\\{[^}]*status=\"404\"")
        .containsPattern("sluice_engine_preemptions_total\\{pod=\"[^\"]+\",pool=\"chat\"} 3\\.0");
  }

  @Test
  void theChartShipsTheSameDashboard() throws Exception {
    assertThat(Files.readString(Chart.DIR.resolve("files/sluice-dashboard.json")))
        .isEqualTo(Files.readString(DASHBOARD));
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    assertThat(dashboard.path("uid").asText()).isEqualTo("sluice-router");
    Set<Integer> ids = new HashSet<>();
    dashboard.path("panels").forEach(panel -> assertThat(ids.add(panel.path("id").asInt())).isTrue());
  }

  @Test
  void metricNamesAreTheSelectorsOfAnExpressionOnly() {
    assertThat(metricNames("histogram_quantile(0.9, sum by (le, pool) (rate(a_seconds_bucket{pool=~\"$pool\","
        + "class!=\"all\"}[$__rate_interval]))) / clamp_min(sum without (pod) (b_tokens), 1) > bool 0"))
        .containsExactly("a_seconds_bucket", "b_tokens");
    assertThat(metricNames("vllm:num_preemptions_total offset 5m")).containsExactly("vllm:num_preemptions_total");
  }

  /** PromQL of every panel target and every templating query. */
  private static List<String> expressions() throws IOException {
    JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
    List<String> expressions = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panel.path("targets").forEach(target -> expressions.add(target.path("expr").asText()));
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        Matcher query = LABEL_VALUES.matcher(variable.path("definition").asText());
        assertThat(query.find()).as(variable.toString()).isTrue();
        expressions.add(query.group(1));
      }
    }
    assertThat(expressions).isNotEmpty().doesNotContain("");
    return expressions;
  }

  /** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or numbers. */
  static Set<String> metricNames(String expr) {
    String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\$[a-zA-Z_]+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![a-zA-Z0-9_:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(bare);
    while (m.find()) {
      if (m.group(2) == null && !KEYWORDS.contains(m.group(1).toLowerCase())) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private static CompletableFuture<HttpResponse<String>> chat(HttpClient http, String content, int maxTokens) {
    String body = "{\"model\":\"m\",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port()
            + "/v1/chat/completions")).timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The backend: "slow" answers after 400 ms, "fail" answers 500, anything else at once. */
  private static void chat(HttpExchange exchange) throws IOException {
    String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    if (request.contains("\"fail\"")) {
      reply(exchange, 500, "application/json", "{\"object\":\"error\",\"message\":\"boom\",\"code\":500}");
      return;
    }
    if (request.contains("\"slow\"")) {
      try {
        Thread.sleep(400);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    reply(exchange, 200, "application/json", """
        {"id":"c1","object":"chat.completion","created":1,"model":"m",
         "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}""");
  }

  private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}

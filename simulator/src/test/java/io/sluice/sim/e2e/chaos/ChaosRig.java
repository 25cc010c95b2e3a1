package io.sluice.sim.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.SluiceServer;
import io.sluice.router.admission.AdmissionController;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.discovery.ConfigFileWatcher;
import io.sluice.router.pool.Pod;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.runtime.PrometheusText;
import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.sluice.sim.server.Faults;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The system under chaos, all on 127.0.0.1: emulated engines with the faults they inject, an
 * address where nothing listens (connections are refused), and the real router in this JVM (so
 * its ledger can be read directly) with the config-file watcher {@code serve} runs, so pods come
 * and go by rewriting the file.
 */
final class ChaosRig implements AutoCloseable {
  static final String MODEL = "qwen3-8b";
  static final int KV_TOKENS = 4096;
  /** Small against the KV cache, so the queue is in use. */
  static final int BUDGET = 2000;

  final Vertx clients = Vertx.vertx();
  private final Vertx engines = Vertx.vertx();
  private final Vertx routerVertx = Vertx.vertx();
  private final List<EngineServer> servers = new ArrayList<>();
  private final List<String> urls = new ArrayList<>();
  private final String dead;
  /**
   * Holds the dead address's port: bound but never listening, so a connection to it is refused and
   * no other server (another test, another build on the machine) can take the port meanwhile. An
   * address found free and released would let one answer 404 in the dead pod's place.
   */
  private final Socket deadPort;
  private final Path file;
  private SluiceServer router;
  private ConfigFileWatcher watcher;
  private PoolRuntime pool;

  private ChaosRig(Path dir, boolean deadAddress) throws IOException {
    this.file = dir.resolve("sluice.yaml");
    this.deadPort = deadAddress ? boundNotListening() : null;
    this.dead = deadAddress ? "http://127.0.0.1:" + deadPort.getLocalPort() : null;
  }

  /**
   * Starts one engine per entry of {@code faults} (seeds 1, 2, ...) and the router with the first
   * {@code inPoolAtStart} of them in its pool, and the dead address if there is one.
   */
  static ChaosRig start(Path dir, List<Faults> faults, int inPoolAtStart, boolean deadAddress) throws Exception {
    ChaosRig rig = new ChaosRig(dir, deadAddress);
    try {
      for (int i = 0; i < faults.size(); i++) {
        rig.servers.add(engine(rig.engines, i + 1, faults.get(i)));
        rig.urls.add("http://127.0.0.1:" + rig.servers.get(i).port());
      }
      List<String> endpoints = new ArrayList<>(rig.urls.subList(0, inPoolAtStart));
      if (deadAddress) {
        endpoints.add(rig.dead);
      }
      String first = config(endpoints, BUDGET);
      Files.writeString(rig.file, first);
      ConfigLoader.Result loaded = ConfigLoader.parse(first, rig.file.toString());
      assertThat(loaded.problems()).isEmpty();
      rig.router = SluiceServer.start(rig.routerVertx, loaded.config(), SluiceServer.Options.loopback(0, 0))
          .await(10, TimeUnit.SECONDS);
      rig.watcher = new ConfigFileWatcher(rig.file, loaded.config(), first, rig.router.clusterSink(),
          rig.router.metrics());
      rig.watcher.start(Duration.ofMillis(100));
      rig.pool = rig.router.pools().forModel(MODEL);
      return rig;
    } catch (Exception | AssertionError e) {
      rig.close();
      throw e;
    }
  }

  int routerPort() {
    return router.port();
  }

  String engineUrl(int index) {
    return urls.get(index);
  }

  /** The address where nothing listens. */
  String dead() {
    return dead;
  }

  AdmissionController admission() {
    return pool.admission();
  }

  List<Pod> podsInPool() {
    return pool.pool().pods();
  }

  String routerMetrics() {
    return router.metrics().scrape();
  }

  /** Faults the engines injected, summed over engines, by kind. */
  Map<String, Long> injected() {
    Map<String, Long> injected = new LinkedHashMap<>();
    servers.forEach(s -> s.injected().snapshot().forEach((k, n) -> injected.merge(k, n, Long::sum)));
    return injected;
  }

  /** Each engine's peak KV use and preemptions, from its own metrics page. */
  List<ChaosReport.EngineFigures> engineFigures() throws Exception {
    HttpClient scraper = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<ChaosReport.EngineFigures> figures = new ArrayList<>();
    for (EngineServer s : servers) {
      String page = metricsPage(scraper, s);
      figures.add(new ChaosReport.EngineFigures(s.port(), sum(page, "sim:kv_peak_used_tokens"),
          sum(page, "vllm:num_preemptions_total")));
    }
    return figures;
  }

  /** Rewrites the config file in one step and waits until the router has read it ({@code result}). */
  void reload(List<String> endpoints, int budget, String result) throws Exception {
    long before = sum(routerMetrics(), "sluice_config_reloads_total", "result", result);
    Path next = file.resolveSibling("sluice.yaml.next");
    Files.writeString(next, config(endpoints, budget));
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sum(routerMetrics(), "sluice_config_reloads_total", "result", result) == before) {
      assertThat(System.nanoTime()).as("config reload (" + result + ") seen").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws Exception {
    if (watcher != null) {
      watcher.close();
    }
    if (router != null) {
      router.shutdown().await(30, TimeUnit.SECONDS);
    }
    clients.close().await(30, TimeUnit.SECONDS);
    routerVertx.close().await(30, TimeUnit.SECONDS);
    engines.close().await(30, TimeUnit.SECONDS);
    if (deadPort != null) {
      deadPort.close();
    }
  }

  static String podId(String url) {
    URI uri = URI.create(url);
    return uri.getHost() + ":" + uri.getPort();
  }

  static long sum(String page, String name, String... labelPairs) {
    return Math.round(PrometheusText.parse(page).sum(name, labelPairs));
  }

  private static String config(List<String> endpoints, int budget) {
    return """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: chaos}
        spec:
          models: [%s]
          endpoints: [%s]
          engine: vllm
          budget: {tokensPerPod: %d, safetyFactor: 1.2}
          queue: {maxWait: 4s, maxLength: 40}
          health: {consecutiveFailures: 3, ejectionTime: 1s, maxAttempts: 3}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec: {connectTimeout: 1s, responseTimeout: 3s, idleTimeout: 2s, drainTimeout: 2s, accessLog: false}
        """.formatted(MODEL, endpoints.stream().map(e -> "\"" + e + "\"").collect(Collectors.joining(", ")), budget);
  }

  private static EngineServer engine(Vertx vertx, int seed, Faults faults) throws Exception {
    return EngineServer.deploy(vertx, new EngineOptions("127.0.0.1", 0, MODEL, List.of(),
        EngineConfig.of(KV_TOKENS, Profiles.LLAMA3_8B_A100), 10.0, null, seed, "lognormal:80:0.8",
        EngineOptions.Flavor.VLLM, faults)).await(10, TimeUnit.SECONDS);
  }

  private static Socket boundNotListening() throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return socket;
  }

  /**
   * An engine's metrics page. An engine that closes a share of new connections closes this
   * test's own too, so a connection it refused is opened again (a few times at most).
   */
  private static String metricsPage(HttpClient client, EngineServer engine) throws Exception {
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + "/metrics")).build();
    for (int attempt = 1; ; attempt++) {
      try {
        return client.send(get, HttpResponse.BodyHandlers.ofString()).body();
      } catch (IOException refused) {
        if (attempt == 20) {
          throw refused;
        }
      }
    }
  }
}

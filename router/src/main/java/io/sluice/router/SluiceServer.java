package io.sluice.router;

import io.sluice.router.admin.AdminPlane;
import io.sluice.router.admin.Readiness;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.coordination.LedgerCoordinator;
import io.sluice.router.coordination.RedisLedger;
import io.sluice.router.discovery.ClusterSink;
import io.sluice.router.config.SluiceConfig;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.proxy.EngineScraper;
import io.sluice.router.estimate.TokenEstimators;
import io.sluice.router.proxy.DataPlane;
import io.sluice.router.proxy.ProxyHandler;
import io.sluice.router.runtime.PoolDirectory;
import io.sluice.router.runtime.TrafficClasses;
import io.sluice.router.proxy.AccessLog;
import io.sluice.router.proxy.ClientLimits;
import io.sluice.router.proxy.OverloadGuard;
import io.sluice.router.proxy.TlsFiles;
import io.vertx.core.net.ServerSSLOptions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running router: the data port (OpenAI API), the admin port (health, metrics) and the pooled
 * client to the pods. Start it with {@link #start}; stop it with {@link #shutdown}, which drains.
 */
public final class SluiceServer {
  private static final Logger LOG = LoggerFactory.getLogger(SluiceServer.class);

  /**
   * Where and how to listen.
   *
   * @param host address the data port binds, e.g. {@code 0.0.0.0} (every interface) or {@code 127.0.0.1}
   * @param port data port; 0 picks a free one
   * @param adminHost address the admin port binds
   * @param adminPort admin port; 0 picks a free one
   * @param eventLoops how many event loops serve the data port
   */
  public record Options(String host, int port, String adminHost, int adminPort, int eventLoops) {
    public Options(String host, int port, int adminPort, int eventLoops) {
      this(host, port, host, adminPort, eventLoops);
    }

    public static Options loopback(int port, int adminPort) {
      return new Options("127.0.0.1", port, adminPort, 1);
    }
  }

  private static final long TICK_MS = 500;
  /** How often API key files and the TLS certificate are checked for changes. */
  private static final long FILE_WATCH_MS = 1000;

  private final Vertx vertx;
  private final RouterSettings settings;
  private final PoolReconciler reconciler;
  private final PoolDirectory runtimes;
  private final TrafficClasses classes;
  private final RouterMetrics metrics;
  private final HttpClient client;
  private final EngineScraper engineScraper;
  private final ExecutorService tokenizerPool;
  private final RedisLedger redis;
  private final LedgerCoordinator ledger;
  private final TlsFiles tls;
  private final ScheduledExecutorService fileWatch;
  private long tickTimer = -1;
  private final List<HttpServer> dataServers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  /** Further conditions for readiness, such as discovery's informers having synced. */
  private final List<BooleanSupplier> readinessGates = new CopyOnWriteArrayList<>();
  /** Pools logged as unable to serve, with the reason logged; touched on the tick timer only. */
  private final Map<String, String> loggedReasons = new HashMap<>();
  private final long startedAt = System.nanoTime();
  private HttpServer adminServer;
  private ProxyHandler proxy;

  private SluiceServer(Vertx vertx, SluiceConfig config) {
    this.vertx = vertx;
    this.settings = config.settings();
    this.metrics = new RouterMetrics();
    // This client scrapes the pods' metrics and calls their tokenize API; requests are forwarded by
    // one client per event loop (ProxyHandler).
    this.client = vertx.createHttpClient(clientOptions(), poolOptions());
    // Exact tokenization is CPU work: it runs here, never on an event loop; when this pool is
    // saturated, estimates fall back to the approximate count.
    this.tokenizerPool = TokenEstimators.newWorkerPool(settings.tokenizerThreads(), settings.tokenizerQueue());
    if (settings.redis().configured()) {
      this.redis = RedisLedger.connect(vertx, settings.redis());
      this.ledger = new LedgerCoordinator(redis, replicaName(), settings.redis().timeout(),
          settings.redis().leaseTtl(), settings.redis().fallbackReplicas(), metrics::ledgerFailed);
    } else {
      this.redis = null;
      this.ledger = null;
    }
    this.reconciler = new PoolReconciler(metrics, client, tokenizerPool, ledger, ConfigLoader.plugins());
    reconciler.classes().trustHeaders(settings.trustedHeaders());
    config.pools().forEach(reconciler::applyPool); // throws on a pool that cannot be built
    reconciler.setClasses(config.classes());
    this.runtimes = reconciler.pools();
    this.classes = reconciler.classes();
    this.engineScraper = new EngineScraper(vertx, client, runtimes, metrics);
    this.tls = settings.tls() == null ? null : new TlsFiles(settings.tls());
    this.fileWatch = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "sluice-file-watch");
      thread.setDaemon(true);
      return thread;
    });
    fileWatch.scheduleWithFixedDelay(this::watchFiles, FILE_WATCH_MS, FILE_WATCH_MS, TimeUnit.MILLISECONDS);
  }

  private static HttpClientOptions clientOptions() {
    return new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setPipelining(false);
  }

  private PoolOptions poolOptions() {
    return new PoolOptions().setHttp1MaxSize(settings.maxConnectionsPerPod());
  }

  /** Why a port could not be bound, naming it (a bind error alone names neither port nor address). */
  static IllegalStateException cannotListen(String which, String host, int port, Throwable cause) {
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new IllegalStateException("cannot listen on the " + which + " port " + host + ":" + port + ": " + reason
        + (reason.toLowerCase(java.util.Locale.ROOT).contains("in use")
            ? " (another process has it; choose another with --" + (which.equals("data") ? "port" : "admin-port")
                + ")" : ""), cause);
  }

  /** Starts the router; the future completes once both ports listen. */
  public static Future<SluiceServer> start(Vertx vertx, SluiceConfig config, Options options) {
    SluiceServer server;
    try {
      server = new SluiceServer(vertx, config);
    } catch (RuntimeException e) {
      return Future.failedFuture(e); // e.g. a tokenizer file that cannot be loaded
    }
    return server.listen(options).map(server);
  }

  private Future<Void> listen(Options options) {
    AccessLog accessLog = new AccessLog(metrics, settings.accessLog());
    OverloadGuard overload = OverloadGuard.forThisJvm(settings.bufferedBodyLimit(), settings.maxHeapUsage());
    metrics.bindBodyMemory(overload::heldBytes, overload.maxBytes());
    proxy = new ProxyHandler(vertx, () -> vertx.createHttpClient(clientOptions(), poolOptions()), runtimes, classes,
        settings, metrics, accessLog);
    long created = System.currentTimeMillis() / 1000;
    ClientLimits limits = new ClientLimits(vertx, settings, accessLog);
    metrics.bindClientConnections(limits::openConnections);
    Router data = DataPlane.router(vertx, proxy, limits, accessLog, overload, metrics, runtimes, settings,
        draining::get, created);
    Router admin = AdminPlane.router(vertx, metrics, this::readiness, runtimes, classes);
    HttpServerOptions dataOptions = new HttpServerOptions()
        .setHost(options.host())
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        // No WebSockets here: without these Netty's WebSocket extension handler sits in every
        // connection's pipeline and inspects the headers of every request and response.
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setMaxHeaderSize(settings.maxHeaderBytes())
        // HTTP/1.1 only: without h2c detection a connection is set up (and limited, and timed) as
        // soon as it is accepted, not when its first bytes arrive.
        .setHttp2ClearTextEnabled(false);
    if (tls != null) {
      try {
        dataOptions.setSsl(true).setKeyCertOptions(tls.read());
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    HttpServer first = dataServer(dataOptions, data, limits);
    dataServers.add(first);
    // listen(port) alone would bind every interface whatever the options' host says.
    return first.listen(options.port(), options.host())
        .recover(e -> Future.failedFuture(cannotListen("data", options.host(), options.port(), e)))
        .compose(bound -> {
          // Timers and scrapes start here, on the data server's event-loop context, rather than
          // on the caller's thread: a context made up for a foreign thread is not one to own them.
          reconciler.scrapeWith(engineScraper);
          // The queues' fallback timer: expires waiters past their max wait and dispatches in case
          // a wake-up was missed. Releases wake the queues directly; this is not a poll.
          tickTimer = vertx.setPeriodic(TICK_MS, id -> {
            reconciler.tick();
            logServability();
          });
          // Further servers on the same port share it: Vert.x spreads connections over their event loops.
          List<Future<HttpServer>> more = new ArrayList<>();
          for (int i = 1; i < options.eventLoops(); i++) {
            HttpServer extra = dataServer(dataOptions, data, limits);
            dataServers.add(extra);
            more.add(extra.listen(bound.actualPort(), options.host()));
          }
          return Future.all(more);
        })
        .compose(all -> {
          adminServer = vertx.createHttpServer(new HttpServerOptions().setHost(options.adminHost()))
              .requestHandler(admin);
          return adminServer.listen(options.adminPort(), options.adminHost())
              .recover(e -> Future.failedFuture(cannotListen("admin", options.adminHost(), options.adminPort(), e)));
        })
        .onSuccess(bound -> LOG.info("data port {}:{} ({} event loops), admin port {}:{}; pools: {}",
            options.host(), port(), dataServers.size(), options.adminHost(), adminPort(), reconciler.describe()))
        .mapEmpty();
  }

  /**
   * This replica's name in the shared budget ledger: its pod name (or host name) and a random
   * suffix, so that two routers never share one name, not even in one process.
   */
  private static String replicaName() {
    String pod = System.getenv("POD_NAME") != null ? System.getenv("POD_NAME") : System.getenv("HOSTNAME");
    String base = pod == null || pod.isBlank() ? "router" : pod;
    return base + "-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);
  }

  /** The shared budget ledger's coordinator, or null without Redis. */
  public LedgerCoordinator ledger() {
    return ledger;
  }

  private HttpServer dataServer(HttpServerOptions dataOptions, Router data, ClientLimits limits) {
    return vertx.createHttpServer(dataOptions)
        .connectionHandler(limits::connected)
        .invalidRequestHandler(limits::invalidRequest)
        // No WebSockets: every handshake is refused. Having this handler makes Vert.x hand requests of an
        // HTTP version it does not speak to the request handler (instead of an empty 501), so they get
        // an OpenAI-format 505 from ClientLimits.accept.
        .webSocketHandshakeHandler(handshake -> handshake.reject(400))
        .requestHandler(request -> {
          if (limits.accept(request)) {
            data.handle(request);
          }
        });
  }

  /** Runs on the file-watch thread: re-reads API key files and the TLS certificate that changed. */
  private void watchFiles() {
    try {
      reconciler.pollKeyFiles();
      if (tls != null && tls.changed()) {
        ServerSSLOptions next = new ServerSSLOptions().setKeyCertOptions(tls.read());
        for (HttpServer server : dataServers) {
          server.updateSSLOptions(next, true).onComplete(done -> {
            if (done.succeeded()) {
              LOG.info("TLS certificate {} reloaded", tls);
            } else {
              LOG.warn("TLS certificate {} could not be reloaded; the previous one stays: {}", tls,
                  done.cause().toString());
            }
          });
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("watching files failed: {}", e.toString());
    }
  }
  /**
   * Ready means "can serve": not draining, every readiness gate open (the cluster's pools and pods
   * listed), at least one pool, and in every pool a pod in rotation with a budget (a pool whose
   * engines have not reported their KV size has none). Each pool's reason is reported.
   */
  public Readiness readiness() {
    Map<String, String> byPool = new TreeMap<>();
    runtimes.all().forEach(runtime -> byPool.put(runtime.name(), runtime.unservable()));
    String reason;
    if (draining.get()) {
      reason = "draining";
    } else if (!readinessGates.stream().allMatch(BooleanSupplier::getAsBoolean)) {
      reason = "the cluster's pools and pods have not been listed yet";
    } else if (byPool.isEmpty()) {
      reason = "no pool is configured";
    } else {
      long unservable = byPool.values().stream().filter(Objects::nonNull).count();
      reason = unservable == 0 ? null : unservable + " of " + byPool.size() + " pools cannot serve";
    }
    return new Readiness(reason == null, reason, byPool);
  }

  public boolean ready() {
    return readiness().ready();
  }

  /**
   * Logs each pool's change between serving and not (once, not per request); a pool still
   * waiting for its engines' first report in the first seconds after start is not worth a warning.
   */
  private void logServability() {
    boolean settling = System.nanoTime() - startedAt < TimeUnit.SECONDS.toNanos(2);
    for (var runtime : runtimes.all()) {
      String reason = runtime.unservable();
      String before = loggedReasons.get(runtime.name());
      if (Objects.equals(reason, before) || (reason != null && before == null && settling)) {
        continue;
      }
      if (reason != null) {
        LOG.warn("pool '{}' cannot serve: {}", runtime.name(), reason);
        loggedReasons.put(runtime.name(), reason);
      } else {
        LOG.info("pool '{}' can serve again", runtime.name());
        loggedReasons.remove(runtime.name());
      }
    }
    loggedReasons.keySet().removeIf(name -> runtimes.named(name) == null);
  }

  /** Adds a condition {@link #ready} requires, e.g. that the cluster's informers have synced. */
  public void addReadinessGate(BooleanSupplier gate) {
    readinessGates.add(gate);
  }

  public int port() {
    return dataServers.get(0).actualPort();
  }

  public int adminPort() {
    return adminServer.actualPort();
  }

  public RouterMetrics metrics() {
    return metrics;
  }

  /** Where discovery applies the pools, pods and traffic classes it sees in the cluster. */
  public ClusterSink clusterSink() {
    return reconciler;
  }

  /** The traffic classes in force. */
  public TrafficClasses trafficClasses() {
    return classes;
  }

  /** The pools' runtimes: budgets, reservations and queues, for tests and the admin port. */
  public PoolDirectory pools() {
    return runtimes;
  }

  /**
   * Stops accepting requests, lets in-flight ones finish for up to the drain timeout, then closes
   * every connection.
   */
  public Future<Void> shutdown() {
    if (!draining.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    long drainMs = settings.drainTimeout().toMillis();
    engineScraper.stop();
    LOG.info("draining: {} requests in flight, waiting up to {} ms", metrics.activeRequests(), drainMs);
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer server : dataServers) {
      closing.add(server.shutdown(drainMs, TimeUnit.MILLISECONDS));
    }
    return Future.join(closing)
        .eventually(() -> {
          vertx.cancelTimer(tickTimer);
          return Future.join(client.close(), proxy == null ? Future.succeededFuture() : proxy.close());
        })
        .eventually(() -> adminServer == null ? Future.succeededFuture() : adminServer.close())
        .eventually(() -> ledger == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
          ledger.close(); // drops this replica's shares, so the others may use them at once
          redis.close();
          return null;
        }))
        .andThen(done -> {
          tokenizerPool.shutdown();
          fileWatch.shutdownNow();
          metrics.close();
          LOG.info("stopped");
        })
        .mapEmpty();
  }
}

package io.sluice.router;

import io.sluice.router.admin.AdminPlane;
import io.sluice.router.config.RouterSettings;
import io.sluice.router.config.SluiceConfig;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.pool.ModelRegistry;
import io.sluice.router.proxy.DataPlane;
import io.sluice.router.proxy.ProxyHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
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
   * @param host address to bind, e.g. {@code 0.0.0.0}
   * @param port data port; 0 picks a free one
   * @param adminPort admin port; 0 picks a free one
   * @param eventLoops how many event loops serve the data port
   */
  public record Options(String host, int port, int adminPort, int eventLoops) {
    public static Options loopback(int port, int adminPort) {
      return new Options("127.0.0.1", port, adminPort, 1);
    }
  }

  private final Vertx vertx;
  private final RouterSettings settings;
  private final ModelRegistry models;
  private final RouterMetrics metrics;
  private final HttpClient client;
  private final List<HttpServer> dataServers = new ArrayList<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private HttpServer adminServer;

  private SluiceServer(Vertx vertx, SluiceConfig config) {
    this.vertx = vertx;
    this.settings = config.settings();
    this.models = ModelRegistry.of(config);
    this.metrics = new RouterMetrics();
    this.metrics.bindPools(models);
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setPipelining(false),
        new PoolOptions().setHttp1MaxSize(settings.maxConnectionsPerPod()));
  }

  /** Starts the router; the future completes once both ports listen. */
  public static Future<SluiceServer> start(Vertx vertx, SluiceConfig config, Options options) {
    SluiceServer server = new SluiceServer(vertx, config);
    return server.listen(options).map(server);
  }

  private Future<Void> listen(Options options) {
    ProxyHandler proxy = new ProxyHandler(vertx, client, models, settings, metrics);
    long created = System.currentTimeMillis() / 1000;
    Router data = DataPlane.router(vertx, proxy, models, settings, draining::get, created);
    Router admin = AdminPlane.router(vertx, metrics, this::ready);
    HttpServerOptions dataOptions = new HttpServerOptions()
        .setHost(options.host())
        .setTcpNoDelay(true)
        .setCompressionSupported(false);
    HttpServer first = vertx.createHttpServer(dataOptions).requestHandler(data);
    dataServers.add(first);
    return first.listen(options.port())
        .compose(bound -> {
          // Further servers on the same port share it: Vert.x spreads connections over their event loops.
          List<Future<HttpServer>> more = new ArrayList<>();
          for (int i = 1; i < options.eventLoops(); i++) {
            HttpServer extra = vertx.createHttpServer(dataOptions).requestHandler(data);
            dataServers.add(extra);
            more.add(extra.listen(bound.actualPort()));
          }
          return Future.all(more);
        })
        .compose(all -> {
          adminServer = vertx.createHttpServer(new HttpServerOptions().setHost(options.host())).requestHandler(admin);
          return adminServer.listen(options.adminPort());
        })
        .onSuccess(bound -> LOG.info("data port {} ({} event loops), admin port {}; pools: {}",
            port(), dataServers.size(), adminPort(), models.pools().stream().map(p -> p.name() + "=" + p.pods().size() + " pods").toList()))
        .mapEmpty();
  }

  /** Ready once configuration is loaded and at least one pod is known, until draining starts. */
  public boolean ready() {
    return !draining.get() && models.podCount() > 0;
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

  /**
   * Stops accepting requests, lets in-flight ones finish for up to the drain timeout, then closes
   * every connection.
   */
  public Future<Void> shutdown() {
    if (!draining.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    long drainMs = settings.drainTimeout().toMillis();
    LOG.info("draining: {} requests in flight, waiting up to {} ms", metrics.activeRequests(), drainMs);
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer server : dataServers) {
      closing.add(server.shutdown(drainMs, TimeUnit.MILLISECONDS));
    }
    return Future.join(closing)
        .eventually(() -> client.close())
        .eventually(() -> adminServer == null ? Future.succeededFuture() : adminServer.close())
        .andThen(done -> {
          metrics.close();
          LOG.info("stopped");
        })
        .mapEmpty();
  }
}

package io.sluice.router.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.sluice.router.SluiceServer;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.ConfigProblem;
import io.sluice.crd.Durations;
import io.sluice.router.discovery.ConfigFileWatcher;
import io.vertx.core.Vertx;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.sluice.router.discovery.KubernetesDiscovery;
import io.sluice.router.discovery.ReplicaLeases;
import io.sluice.router.discovery.StatusWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the router until SIGTERM / Ctrl-C, then drains. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the router.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration YAML file. With --kubernetes: optional, RouterSettings only.")
  Path config;

  @Option(names = "--kubernetes",
      description = "Take ModelPools, TrafficClasses and pods from the cluster (Fabric8 informers).")
  boolean kubernetes;

  @Option(names = "--namespace", paramLabel = "NS",
      description = "With --kubernetes: a namespace to watch (repeatable). Default: the router's own namespace.")
  List<String> namespaces;

  @Option(names = "--port", defaultValue = "8080", description = "Data port (OpenAI API). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--admin-port", defaultValue = "9090",
      description = "Admin port (/healthz, /readyz, /metrics). Default: ${DEFAULT-VALUE}.")
  int adminPort;

  @Option(names = "--host", defaultValue = "0.0.0.0",
      description = "Address the data port binds (0.0.0.0: every interface). Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--admin-host", paramLabel = "HOST",
      description = "Address the admin port binds (it is not authenticated). Default: the --host address.")
  String adminHost;

  @Option(names = "--event-loops", description = "Event loops serving the data port. Default: the number of CPUs.")
  Integer eventLoops;

  @Option(names = "--watch-config", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Without --kubernetes: apply changes of the --config file while running (also on SIGHUP). "
          + "--no-watch-config reads it once. Default: ${DEFAULT-VALUE}.")
  boolean watchConfig;

  @Option(names = "--config-check-interval", defaultValue = "1s", paramLabel = "DURATION",
      description = "How often the --config file is checked for changes (e.g. 1s, 500ms). Default: ${DEFAULT-VALUE}.")
  String configCheckInterval;

  @Option(names = "--log-level", defaultValue = "info",
      description = "trace, debug, info, warn or error. Default: ${DEFAULT-VALUE}.")
  String logLevel;

  /** How log lines are written on standard output. */
  enum LogFormat { text, json }

  @Option(names = "--log-format", defaultValue = "text",
      description = "text (one line per event) or json (one JSON object per line, logback's JsonEncoder, for log "
          + "pipelines). Default: ${DEFAULT-VALUE}.")
  LogFormat logFormat;

  @Override
  public Integer call() throws Exception {
    applyLogLevel(logLevel);
    applyLogFormat(logFormat);
    Logger log = LoggerFactory.getLogger("sluice");
    if (config == null && !kubernetes) {
      System.err.println("give --config FILE, or --kubernetes to take the configuration from the cluster");
      return 1;
    }
    java.time.Duration checkEvery;
    try {
      checkEvery = Durations.parse(configCheckInterval);
    } catch (IllegalArgumentException e) {
      System.err.println("--config-check-interval: " + e.getMessage());
      return 1;
    }
    ConfigLoader.Result loaded;
    String text = "";
    try {
      text = config == null ? "" : ConfigLoader.read(config);
      loaded = config == null ? ConfigLoader.parseSettings("", "defaults")
          : kubernetes ? ConfigLoader.parseSettings(text, config.toString())
          : ConfigLoader.parse(text, config.toString());
    } catch (IOException e) {
      System.err.println(config + ": cannot read: " + e.getMessage());
      return 1;
    }
    if (!loaded.ok()) {
      loaded.problems().stream().map(ConfigProblem::toString).forEach(System.err::println);
      return 1;
    }
    List<String> unreadable = Preflight.problems(loaded.config(), false); // the tokenizers load as the pools are built
    if (!unreadable.isEmpty()) {
      unreadable.forEach(problem -> System.err.println(config + ": " + problem));
      return 1;
    }
    int loops = eventLoops != null ? eventLoops : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx();
    SluiceServer server;
    try {
      SluiceServer.Options options = new SluiceServer.Options(host, port, adminHost == null ? host : adminHost,
          adminPort, loops);
      server = SluiceServer.start(vertx, loaded.config(), options).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.error("cannot start: {}", e.getMessage());
      vertx.close();
      return 1;
    }
    KubernetesClient client = null;
    KubernetesDiscovery discovery = null;
    ReplicaLeases leases = null;
    StatusWriter status = null;
    if (kubernetes) {
      try {
        client = new KubernetesClientBuilder().build();
        List<String> watched = namespaces == null || namespaces.isEmpty()
            ? List.of(client.getNamespace() == null ? "default" : client.getNamespace()) : namespaces;
        String identity = identity();
        String home = System.getenv("POD_NAMESPACE") != null ? System.getenv("POD_NAMESPACE") : watched.get(0);
        leases = new ReplicaLeases(client, home, identity, Duration.ofSeconds(15), Duration.ofSeconds(5),
            server.clusterSink());
        leases.start(); // before discovery: the first pools already see the replica count
        discovery = new KubernetesDiscovery(client, watched, server.clusterSink(), server.metrics());
        discovery.start();
        server.addReadinessGate(discovery::synced); // not ready while an informer is listing or re-listing
        status = new StatusWriter(client, home, identity, discovery::poolReports, discovery::classReports, server.pools(),
            Duration.ofSeconds(5), Duration.ofSeconds(15));
        status.start();
      } catch (RuntimeException e) {
        log.error("cannot watch the cluster: {}", e.getMessage());
        if (status != null) {
          status.close();
        }
        if (discovery != null) {
          discovery.close();
        }
        if (leases != null) {
          leases.close();
        }
        if (client != null) {
          client.close();
        }
        server.shutdown().eventually(vertx::close).await(30, TimeUnit.SECONDS);
        return 1;
      }
    }
    ConfigFileWatcher fileWatcher = null;
    if (!kubernetes && watchConfig) {
      fileWatcher = new ConfigFileWatcher(config, loaded.config(), text, server.clusterSink(), server.metrics());
      fileWatcher.start(checkEvery);
      onHangup(fileWatcher, log);
    }
    ConfigFileWatcher files = fileWatcher;
    KubernetesDiscovery watching = discovery;
    ReplicaLeases replica = leases;
    StatusWriter writer = status;
    KubernetesClient cluster = client;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (files != null) {
        files.close();
      }
      if (watching != null) {
        writer.close(); // hands the leader Lease over
        watching.close();
        replica.close(); // the other replicas take back its share
        cluster.close();
      }
      server.shutdown().eventually(vertx::close).onComplete(done -> stopped.countDown());
      try {
        stopped.await(loaded.config().settings().drainTimeout().toMillis() + 10_000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "sluice-shutdown"));
    stopped.await();
    return 0;
  }

  /** SIGHUP re-reads the config file at once, where the JVM lets us handle the signal. */
  private static void onHangup(ConfigFileWatcher watcher, Logger log) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
        log.info("SIGHUP: reloading the configuration file");
        watcher.reload();
      });
    } catch (IllegalArgumentException | LinkageError e) {
      log.info("SIGHUP cannot be handled here ({}); the file is still checked on a timer", e.getMessage());
    }
  }

  /** This replica's name: POD_NAME, else HOSTNAME (a pod's name), else the host name. */
  private static String identity() {
    for (String variable : List.of("POD_NAME", "HOSTNAME")) {
      String value = System.getenv(variable);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "router-" + ProcessHandle.current().pid();
    }
  }

  /**
   * With {@code json}, the console appender of logback.xml writes each event as one JSON object
   * per line (timestamp, level, thread, logger, message, MDC, exception) instead of the pattern.
   */
  static void applyLogFormat(LogFormat format) {
    if (format != LogFormat.json || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    var appender = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    if (appender instanceof ch.qos.logback.core.OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> out) {
      ch.qos.logback.classic.encoder.JsonEncoder json = new ch.qos.logback.classic.encoder.JsonEncoder();
      json.setContext(context);
      json.setWithFormattedMessage(true); // the message with its arguments in, as the text format shows it
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.start();
      out.stop();
      out.setEncoder(json);
      out.start();
    }
  }

  static void applyLogLevel(String level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
    }
  }
}

package io.sluice.router.discovery;

import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.ConfigProblem;
import io.sluice.router.config.PoolConfig;
import io.sluice.router.config.SluiceConfig;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.pool.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the static configuration file: reads it every interval (and on {@link #reload} calls,
 * e.g. SIGHUP) and, when its text changed, checks the whole file and applies it to the same
 * {@link ClusterSink} Kubernetes discovery uses: pools added, changed in place or removed, pod
 * lists, traffic classes. Reservations and queued requests survive (the sink keeps them). A file
 * with any problem is refused as a whole: problems logged, {@code sluice_config_rejected_total}
 * and {@code sluice_config_reloads_total{result="rejected"}} counted, the last good configuration
 * stays. RouterSettings cannot change on a running router; a changed RouterSettings document is
 * logged as needing a restart and the rest of the file is applied.
 *
 * <p>Concurrency: checks run on this watcher's own thread or the caller of {@link #reload};
 * both are serialized on this object. Nothing here is on the request path.
 */
public final class ConfigFileWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatcher.class);
  static final String KIND = "ConfigFile";

  /** What a check did. */
  public enum Outcome {
    /** The text had not changed. */
    UNCHANGED,
    /** The new file is in force. */
    APPLIED,
    /** The file was refused; the last good configuration stays. */
    REJECTED
  }

  private final Path file;
  private final ClusterSink sink;
  private final RouterMetrics metrics;
  private ScheduledExecutorService timer;
  /** The configuration in force and the text it came from; guarded by this. */
  private SluiceConfig inForce;
  /** The text of the last check, applied or refused (a refused text is reported once); guarded by this. */
  private String lastText;

  /**
   * @param initial the configuration the router started with, read from {@code initialText}
   */
  public ConfigFileWatcher(Path file, SluiceConfig initial, String initialText, ClusterSink sink,
      RouterMetrics metrics) {
    this.file = file;
    this.inForce = initial;
    this.lastText = initialText;
    this.sink = sink;
    this.metrics = metrics;
  }

  /** Checks the file every {@code interval} on a daemon thread. */
  public synchronized void start(Duration interval) {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "sluice-config-watch");
      thread.setDaemon(true);
      return thread;
    });
    long ms = Math.max(50, interval.toMillis());
    timer.scheduleWithFixedDelay(this::checkQuietly, ms, ms, TimeUnit.MILLISECONDS);
    LOG.info("watching {} for changes every {} ms", file, ms);
  }

  private void checkQuietly() {
    try {
      check(false);
    } catch (RuntimeException e) {
      LOG.warn("config check failed: {}", e.toString());
    }
  }

  /** Re-reads the file now and applies it, even when its text looks unchanged. */
  public Outcome reload() {
    return check(true);
  }

  /** Reads the file; applies it when its text changed (or {@code force}). */
  public synchronized Outcome check(boolean force) {
    String text;
    try {
      text = io.sluice.router.config.ConfigLoader.read(file);
    } catch (IOException e) {
      if (!"unreadable".equals(lastText)) {
        reject(List.of(file + ": cannot read: " + e.getMessage()));
        lastText = "unreadable";
      }
      return Outcome.REJECTED;
    }
    if (!force && text.equals(lastText)) {
      return Outcome.UNCHANGED;
    }
    lastText = text;
    ConfigLoader.Result loaded = ConfigLoader.parse(text, file.toString());
    if (!loaded.ok()) {
      reject(loaded.problems().stream().map(ConfigProblem::toString).toList());
      return Outcome.REJECTED;
    }
    SluiceConfig next = loaded.config();
    try {
      apply(inForce, next);
    } catch (RuntimeException e) {
      // A pool that validates but cannot be built (e.g. a tokenizer file that cannot be read):
      // put the last good configuration back, whatever part of the new one went in.
      apply(next, inForce);
      reject(List.of(String.valueOf(e.getMessage())));
      return Outcome.REJECTED;
    }
    if (!next.settings().equals(inForce.settings())) {
      LOG.warn("{}: RouterSettings changed; they take effect only after a restart", file);
    }
    inForce = next;
    metrics.configAccepted(KIND, file.toString(), true);
    metrics.configReloaded("applied");
    LOG.info("{} reloaded: pools {}, {} traffic classes", file,
        next.pools().stream().map(p -> p.name() + "=" + p.spec().endpoints().size() + " pods").toList(),
        next.classes().size());
    return Outcome.APPLIED;
  }

  /** Makes {@code to} the sink's state, assuming it holds {@code from}. */
  private void apply(SluiceConfig from, SluiceConfig to) {
    Map<String, PoolConfig> wanted = to.pools().stream()
        .collect(Collectors.toMap(PoolConfig::name, Function.identity()));
    // Removals first: a model moving from one pool to another must leave the old one before.
    from.pools().stream().map(PoolConfig::name).filter(name -> !wanted.containsKey(name)).forEach(sink::removePool);
    for (PoolConfig pool : to.pools()) {
      sink.applyPool(pool);
      sink.setPods(pool.name(), pool.spec().endpoints().stream().map(Pod::fromUrl).toList());
    }
    if (!Objects.equals(from.classes(), to.classes())) {
      sink.setClasses(to.classes());
    }
  }

  private void reject(List<String> problems) {
    metrics.configAccepted(KIND, file.toString(), false);
    metrics.configRejected(KIND, file.toString());
    metrics.configReloaded("rejected");
    LOG.warn("{} refused, the last good configuration stays in force: {}", file, String.join("; ", problems));
  }

  /** The configuration in force. */
  public synchronized SluiceConfig inForce() {
    return inForce;
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}

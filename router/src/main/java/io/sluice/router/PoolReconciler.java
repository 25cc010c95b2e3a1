package io.sluice.router;

import io.sluice.crd.BudgetCoordination;
import io.sluice.crd.ModelPoolSpec;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.PoolConfig;
import io.sluice.router.config.Profiles;
import io.sluice.router.config.TrafficClassConfig;
import io.sluice.router.coordination.LedgerCoordinator;
import io.sluice.router.discovery.ClusterSink;
import io.sluice.router.estimate.TokenEstimator;
import io.sluice.router.estimate.TokenEstimators;
import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import io.sluice.router.proxy.EngineScraper;
import io.sluice.router.proxy.EngineTokenizer;
import io.sluice.router.runtime.Caller;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.runtime.PoolDirectory;
import io.sluice.router.runtime.ApiKeyFiles;
import io.sluice.router.runtime.TrafficClasses;
import io.sluice.scoring.PluginRegistry;
import io.sluice.scoring.ProfileException;
import io.sluice.scoring.ScoringProfile;
import io.vertx.core.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's pools and traffic classes as they change at run time: builds a pool's runtime
 * (scoring profile, estimator) from its spec, applies changed specs in place, follows pod sets,
 * and keeps metrics and engine scraping in step.
 *
 * <p>Concurrency: writers (startup, discovery's informer threads) are serialized on this object.
 * Readers on the request path never lock: they read {@link PoolDirectory} and {@link TrafficClasses},
 * which publish immutable snapshots. A removed pool keeps its admission controller until its
 * requests end: it sits in {@code retiring}, still ticked so that its queued requests time out.
 */
final class PoolReconciler implements ClusterSink {
  private static final Logger LOG = LoggerFactory.getLogger(PoolReconciler.class);

  private final PoolDirectory runtimes = new PoolDirectory(List.of());
  private final TrafficClasses classes = new TrafficClasses(List.of());
  private final ApiKeyFiles keyFiles = new ApiKeyFiles(classes);
  private final List<PoolRuntime> retiring = new CopyOnWriteArrayList<>();
  /** The registry the config was validated against ({@link ConfigLoader#plugins()}). */
  private final PluginRegistry plugins;
  private final RouterMetrics metrics;
  private final HttpClient client;
  private final Executor tokenizerPool;
  private EngineScraper scraper;
  /** Shares budgets of pools with coordination: redis; null when no Redis is configured. */
  private final LedgerCoordinator ledger;
  /** Live router replicas; guarded by this. */
  private int replicas = 1;

  PoolReconciler(RouterMetrics metrics, HttpClient client, Executor tokenizerPool, LedgerCoordinator ledger,
      PluginRegistry plugins) {
    this.metrics = metrics;
    this.plugins = plugins;
    this.client = client;
    this.tokenizerPool = tokenizerPool;
    this.ledger = ledger;
  }

  /** Scraping starts once the server runs; pools added from then on are scraped as they come. */
  synchronized void scrapeWith(EngineScraper scraper) {
    this.scraper = scraper;
    scraper.start();
  }

  PoolDirectory pools() {
    return runtimes;
  }

  TrafficClasses classes() {
    return classes;
  }

  @Override
  public synchronized void applyPool(PoolConfig config) {
    PoolRuntime existing = runtimes.named(config.name());
    ModelPoolSpec spec = config.spec();
    boolean redis = spec.budget().coordination() == BudgetCoordination.REDIS;
    if (redis && ledger == null) {
      throw new IllegalArgumentException("ModelPool " + config.name() + ": budget.coordination: redis needs the "
          + "Redis server: set redis.address in the router's RouterSettings");
    }
    if (existing == null) {
      Pool pool = new Pool(config.name(), spec, spec.endpoints().stream().map(Pod::fromUrl).toList());
      PoolRuntime runtime = new PoolRuntime(pool, profile(config), metrics.admissionListener(config.name()),
          estimator(spec, pool), System::nanoTime);
      runtime.setReplicas(replicas);
      if (redis) {
        ledger.track(runtime);
      }
      runtimes.put(runtime);
      metrics.bindPool(runtime, classNames());
      if (scraper != null) {
        scraper.track(runtime);
      }
      return;
    }
    ModelPoolSpec before = existing.pool().spec();
    if (before.equals(spec)) {
      return;
    }
    ScoringProfile profile = Objects.equals(before.scoring(), spec.scoring()) ? null : profile(config);
    boolean newEstimator = !before.tokenizer().equals(spec.tokenizer()) || !before.budget().equals(spec.budget());
    TokenEstimator estimator = newEstimator ? estimator(spec, existing.pool()) : existing.estimator();
    existing.reconfigure(spec, profile != null ? profile : existing.profile(), estimator);
    if (redis) {
      ledger.track(existing);
    } else if (ledger != null) {
      ledger.untrack(existing.name()); // its recorded shares shrink to what is reserved, then go
    }
    runtimes.put(existing); // re-reads its models
    if (scraper != null && !before.health().scrapeInterval().equals(spec.health().scrapeInterval())) {
      scraper.track(existing);
    }
    LOG.info("ModelPool {}: new spec in force", config.name());
  }

  @Override
  public synchronized void removePool(String name) {
    PoolRuntime removed = runtimes.remove(name);
    if (removed == null) {
      return;
    }
    if (scraper != null) {
      scraper.untrack(name);
    }
    removed.setPods(List.of());
    if (ledger != null) {
      ledger.untrack(name);
    }
    metrics.unbindPool(name);
    retiring.add(removed);
    LOG.info("ModelPool {} removed; {} requests in flight finish on it", name, removed.admission().inFlight());
  }

  @Override
  public synchronized void setPods(String pool, List<Pod> pods) {
    PoolRuntime runtime = runtimes.named(pool);
    if (runtime == null) {
      return;
    }
    List<String> removed = runtime.setPods(pods);
    removed.forEach(pod -> metrics.unbindPod(pool, pod));
    metrics.bindPool(runtime, classNames());
    if (!removed.isEmpty() || pods.size() != runtime.pool().pods().size()) {
      LOG.debug("ModelPool {}: {} routable pods", pool, pods.size());
    }
  }

  @Override
  public synchronized void setClasses(List<TrafficClassConfig> next) {
    classes.replace(next);
    for (TrafficClassConfig config : next) {
      List<String> untrusted = classes.untrustedHeaders(config.spec());
      if (!untrusted.isEmpty()) {
        LOG.warn("TrafficClass {} matches on {}, not in RouterSettings trustedHeaders: clients could send it, so it "
            + "matches by API key only. List the header in trustedHeaders once a gateway in front sets it",
            config.name(), untrusted);
      }
    }
    keyFiles.follow(next);
    Set<String> names = classNames();
    runtimes.all().forEach(runtime -> metrics.bindPool(runtime, names));
  }

  @Override
  public void setClassKeys(String source, Map<String, List<byte[]>> digests) {
    classes.setKeys(source, digests);
  }

  /** Re-reads API key files that changed. */
  void pollKeyFiles() {
    keyFiles.poll();
  }

  @Override
  public synchronized void setRouterReplicas(int count) {
    if (ledger != null) {
      ledger.setLiveReplicas(count); // from now on the fallback divides by the live count
    }
    if (count == replicas) {
      return;
    }
    LOG.info("{} router replicas live (were {}): partitioned budgets rebalanced", count, replicas);
    replicas = count;
    metrics.routerReplicas(count);
    runtimes.all().forEach(runtime -> runtime.setReplicas(count));
  }

  /** The fallback timer of every pool, and of removed pools until their last request ended. */
  void tick() {
    runtimes.all().forEach(PoolRuntime::tick);
    for (PoolRuntime old : retiring) {
      old.tick();
      if (old.admission().inFlight() == 0 && old.admission().queuedRequests() == 0) {
        retiring.remove(old);
      }
    }
  }

  private Set<String> classNames() {
    Set<String> names = new LinkedHashSet<>();
    names.add(Caller.DEFAULT.trafficClass());
    classes.all().forEach(c -> names.add(c.name()));
    return names;
  }

  private ScoringProfile profile(PoolConfig config) {
    try {
      return plugins.build(Profiles.of(config.spec().scoring()), metrics.pluginTimer(config.name()));
    } catch (ProfileException e) {
      throw new IllegalArgumentException("ModelPool " + config.name() + ": scoring: " + e.getMessage(), e);
    }
  }

  private TokenEstimator estimator(ModelPoolSpec spec, Pool pool) {
    return TokenEstimators.forPool(spec, Path.of(""), tokenizerPool, new EngineTokenizer(client, pool),
        metrics.estimatorListener(pool.name()));
  }

  /** Pools by name with their pod counts, for the startup log line. */
  List<String> describe() {
    List<String> out = new ArrayList<>();
    runtimes.all().forEach(p -> out.add(p.name() + "=" + p.pool().pods().size() + " pods"));
    return out;
  }
}

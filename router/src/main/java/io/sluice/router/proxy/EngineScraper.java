package io.sluice.router.proxy;

import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.pool.Pod;
import io.sluice.router.runtime.EngineMetricsParser;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.runtime.PoolDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every pod's metrics page on its pool's interval (default 500 ms) and hands the parsed
 * figures to the pool: running and waiting requests, KV usage, loaded adapters, prefix-cache hit
 * rate, and the KV-cache size that {@code tokensPerPod: auto} turns into a budget. Asynchronous;
 * a pod whose previous scrape has not finished is skipped, so a slow pod never piles up requests.
 *
 * <p>Concurrency: one periodic timer per pool, kept in a concurrent map; {@link #track} and
 * {@link #untrack} may be called from any thread (discovery) while the timers run.
 */
public final class EngineScraper {
  private static final Logger LOG = LoggerFactory.getLogger(EngineScraper.class);

  private final Vertx vertx;
  private final HttpClient client;
  private final PoolDirectory runtimes;
  private final RouterMetrics metrics;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> timers = new ConcurrentHashMap<>();
  private volatile boolean stopped;
  private volatile Context context;

  public EngineScraper(Vertx vertx, HttpClient client, PoolDirectory runtimes, RouterMetrics metrics) {
    this.vertx = vertx;
    this.client = client;
    this.runtimes = runtimes;
    this.metrics = metrics;
  }

  /** Starts reading every pool's pods; call it on a Vert.x event-loop context, which then owns the timers. */
  public void start() {
    context = vertx.getOrCreateContext();
    runtimes.all().forEach(this::track);
  }

  /**
   * Starts reading a pool's pods, or restarts it on the pool's current scrape interval. Callable
   * from any thread (informers call it from theirs): the work moves to the scraper's context.
   */
  public void track(PoolRuntime runtime) {
    Context owner = context;
    if (owner != null && Vertx.currentContext() != owner) {
      owner.runOnContext(v -> track(runtime));
      return;
    }
    trackHere(runtime);
  }

  private synchronized void trackHere(PoolRuntime runtime) {
    if (stopped) {
      return;
    }
    untrack(runtime.name());
    scrapePool(runtime);
    long interval = Math.max(50, runtime.pool().spec().health().scrapeInterval().toMillis());
    timers.put(runtime.name(), vertx.setPeriodic(interval, id -> scrapePool(runtime)));
  }

  /** Stops reading a pool's pods. */
  public synchronized void untrack(String pool) {
    Long timer = timers.remove(pool);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  public synchronized void stop() {
    stopped = true;
    timers.keySet().forEach(this::untrack);
  }

  private void scrapePool(PoolRuntime runtime) {
    runtime.pool().pods().forEach(pod -> scrape(runtime, pod));
  }

  private void scrape(PoolRuntime runtime, Pod pod) {
    String key = runtime.name() + '/' + pod.id();
    if (!inFlight.add(key)) {
      return;
    }
    long timeout = Math.max(1_000, 2 * runtime.pool().spec().health().scrapeInterval().toMillis());
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(pod.host()).setPort(pod.port())
        .setSsl(pod.tls()).setURI("/metrics").setConnectTimeout(timeout).setIdleTimeout(timeout)
        .setTimeout(timeout); // a scrape that hangs anywhere must end, or the pod is never read again
    client.request(options)
        .compose(request -> request.send())
        .compose(response -> response.statusCode() == 200 ? response.body()
            : Future.failedFuture("metrics page answered " + response.statusCode()))
        .onComplete(done -> {
          inFlight.remove(key);
          if (done.succeeded()) {
            runtime.sampled(pod.id(),
                EngineMetricsParser.parse(runtime.pool().spec().engine(), done.result().toString(), System.nanoTime()));
            if (failing.remove(key)) {
              LOG.info("pod {} of pool {}: metrics readable again", pod.id(), runtime.name());
            }
          } else {
            metrics.scrapeFailed(runtime.name(), pod.id());
            if (failing.add(key)) {
              LOG.warn("pod {} of pool {}: cannot read its metrics page: {}", pod.id(), runtime.name(),
                  done.cause().toString());
            }
          }
        });
  }
}

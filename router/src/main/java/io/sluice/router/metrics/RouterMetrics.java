package io.sluice.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.router.admission.AdmissionListener;
import io.sluice.router.estimate.CostEstimate;
import io.sluice.router.estimate.EstimatorListener;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.runtime.PoolDirectory;
import io.sluice.scoring.PluginTimer;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The router's own metrics, named the Prometheus way ({@code sluice_} prefix, base units,
 * {@code _total} counters). Model and pool tags only ever take configured values, so a client
 * cannot grow the number of series.
 */
public final class RouterMetrics {
  /** Tag value for requests that never reached a pool (bad input, unknown model). */
  public static final String NONE = "none";
  /**
   * Pod tag value for what happens on a pod after it left its pool (a stream still in flight on it
   * fails): one series per pool and reason instead of one re-created per departed pod, which would
   * stay forever as pods come and go.
   */
  public static final String DEPARTED = "_departed";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicLong active = new AtomicLong();
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final LiveView live = new LiveView(System::currentTimeMillis);
  private final AdmissionMetrics admission = new AdmissionMetrics(registry, live);
  // Keyed by records of the label values: the strings' hashes are cached, so a lookup builds no string.
  private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
  private final Map<DurationKey, Timer> durations = new ConcurrentHashMap<>();
  private final Map<String, Timer> responses = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> acceptance = new ConcurrentHashMap<>();
  private final AtomicLong replicas = new AtomicLong(1);
  /** The pods of every pool, as last bound: a pod not here has left (or not yet been bound). */
  private final Set<PodKey> bound = ConcurrentHashMap.newKeySet();

  private record RequestKey(String model, String pool, String api, int status) {}

  private record DurationKey(String pool, String api, int statusClass) {}

  private record PodKey(String pool, String pod) {}

  private record SloKey(String pool, String trafficClass, String outcome) {}

  private record ErrorKey(String pool, boolean late) {}

  private final Map<SloKey, Counter> slo = new ConcurrentHashMap<>();
  private final Map<ErrorKey, Timer> predictionErrors = new ConcurrentHashMap<>();

  public RouterMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    Gauge.builder("sluice.requests.active", active, AtomicLong::get)
        .description("Requests being handled (received, not yet answered)")
        .register(registry);
    Gauge.builder("sluice.router.replicas", replicas, AtomicLong::get)
        .description("Live router replicas sharing partitioned budgets (this one included)")
        .register(registry);
  }

  /** The recent counts and decisions the admin page shows. */
  public LiveView live() {
    return live;
  }

  /** The number of live router replicas, this one included. */
  public void routerReplicas(int count) {
    replicas.set(count);
  }

  /** The admission listener of a pool, recording outcomes and queue waits. */
  public AdmissionListener admissionListener(String pool) {
    return admission.listener(pool);
  }

  /** Counts estimates that fell back to the approximate count, by pool and reason. */
  public EstimatorListener estimatorListener(String pool) {
    return reason -> Counter.builder("sluice.estimator.fallbacks")
        .description("Estimates that fell back to the approximate count (saturated worker pool, engine "
            + "tokenize timeout or error, counter error)")
        .tags("pool", pool, "reason", reason)
        .register(registry)
        .increment();
  }

  /** Times each scoring plugin call of a pool, by kind and type; each plugin's timer is resolved once. */
  public PluginTimer pluginTimer(String pool) {
    return (kind, type) -> {
      Timer timer = Timer.builder("sluice.scoring.plugin.duration")
          .description("Time spent in each scoring plugin call")
          .tags("pool", pool, "kind", kind, "type", type)
          .register(registry);
      return nanos -> timer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    };
  }

  /** A pod's metrics page could not be read. */
  public void scrapeFailed(String pool, String pod) {
    Counter.builder("sluice.engine.scrape.errors")
        .description("Failed reads of a pod's metrics page")
        .tags("pool", pool, "pod", podTag(pool, pod))
        .register(registry)
        .increment();
  }

  /** Registers the per-pool, per-class and per-pod gauges. */
  public void bindPools(PoolDirectory runtimes, Collection<String> trafficClasses) {
    runtimes.all().forEach(runtime -> bindPool(runtime, trafficClasses));
  }

  /**
   * Registers a pool's gauges, and those of classes and pods not registered yet (registering one
   * again is a no-op); call again after its pods or the traffic classes changed.
   */
  public void bindPool(PoolRuntime runtime, Collection<String> trafficClasses) {
    if (registry.find("sluice.pool.pods").tag("pool", runtime.name()).gauge() == null) { // else Micrometer warns
      bindPoolGauges(runtime);
    }
    admission.bind(runtime, trafficClasses);
    runtime.admission().pods().forEach(pod -> bound.add(new PodKey(runtime.name(), pod.podId())));
  }

  /** The pod tag to record under: the pod's own while it is in its pool, else {@link #DEPARTED}. */
  private String podTag(String pool, String pod) {
    return bound.contains(new PodKey(pool, pod)) ? pod : DEPARTED;
  }

  private void bindPoolGauges(PoolRuntime runtime) {
    Gauge.builder("sluice.pool.pods", runtime.pool(), p -> p.pods().size())
        .tag("pool", runtime.name())
        .description("Pods known in the pool")
        .register(registry);
    Gauge.builder("sluice.coordination.fallback", runtime,
            r -> r.coordination() == PoolRuntime.Coordination.FALLBACK ? 1 : 0)
        .tag("pool", runtime.name())
        .description("1 while the pool's shared budget ledger (Redis) cannot be reached and budgets are partitioned")
        .register(registry);
  }

  /** A request refused before its body was read, to keep the heap safe: {@code body_memory} or {@code heap}. */
  public void overloadRefused(String reason) {
    Counter.builder("sluice.overload.refusals")
        .description("Requests refused with 503 overloaded before their body was read: the request bodies held at "
            + "once reached maxBufferedBodyBytes (body_memory), or the heap in use passed maxHeapUsage (heap)")
        .tags("reason", reason)
        .register(registry)
        .increment();
  }

  /** The client connections open on the data port. */
  public void bindClientConnections(java.util.function.IntSupplier open) {
    Gauge.builder("sluice.client.connections", open, IntSupplier::getAsInt)
        .description("Client connections open on the data port (what is open, not what was ever accepted)")
        .strongReference(true) // the supplier is a lambda nothing else holds
        .register(registry);
  }

  /** The request body bytes held at once, and their limit. */
  public void bindBodyMemory(java.util.function.LongSupplier held, long limit) {
    Gauge.builder("sluice.request.body.held.bytes", held, LongSupplier::getAsLong)
        .description("Request body bytes the router holds now (read, parsed or kept for a retry)")
        .strongReference(true)
        .register(registry);
    Gauge.builder("sluice.request.body.limit.bytes", () -> limit)
        .description("The most request body bytes the router holds at once (maxBufferedBodyBytes)")
        .register(registry);
  }

  /** A call to the shared budget ledger (Redis) failed or timed out. */
  public void ledgerFailed(String pool, Throwable cause) {
    Counter.builder("sluice.redis.errors")
        .description("Calls to the shared budget ledger in Redis that failed or timed out")
        .tag("pool", pool)
        .register(registry).increment();
  }

  /** Drops every series of a pool that went away. */
  public void unbindPool(String pool) {
    registry.find("sluice.pool.pods").tag("pool", pool).meters().forEach(registry::remove);
    registry.getMeters().stream().filter(m -> pool.equals(m.getId().getTag("pool")) && m.getId().getTag("pod") == null
            && m.getId().getName().matches("sluice\\.(queue|pool|overrun|coordination)\\..*"))
        .forEach(registry::remove);
    registry.getMeters().stream().filter(m -> pool.equals(m.getId().getTag("pool")) && m.getId().getTag("pod") != null)
        .forEach(registry::remove);
    bound.removeIf(key -> key.pool().equals(pool));
    live.forget(pool);
  }

  /**
   * Drops the series of a pod that left its pool (a later pod of the same name starts afresh); what
   * its requests still in flight record from now on goes to {@link #DEPARTED}.
   */
  public void unbindPod(String pool, String pod) {
    bound.remove(new PodKey(pool, pod));
    registry.getMeters().stream()
        .filter(m -> pool.equals(m.getId().getTag("pool")) && pod.equals(m.getId().getTag("pod")))
        .forEach(registry::remove);
  }

  /** A cluster resource was refused (invalid); the last good version stays in force. */
  public void configRejected(String kind, String name) {
    Counter.builder("sluice.config.rejected")
        .description("Cluster resources or config file versions refused as invalid; the last good version stays in force")
        .tags("kind", kind, "name", name)
        .register(registry)
        .increment();
  }

  /** The static configuration file was checked after a change: {@code applied} or {@code rejected}. */
  public void configReloaded(String result) {
    Counter.builder("sluice.config.reloads")
        .description("Changes of the static configuration file, by result (applied, rejected)")
        .tags("result", result)
        .register(registry)
        .increment();
  }

  /** Whether the last version seen of a cluster resource is in force (1) or refused (0). */
  public void configAccepted(String kind, String name, boolean accepted) {
    acceptance.computeIfAbsent(kind + '/' + name, key -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder("sluice.config.accepted", value, AtomicLong::get)
          .description("1 when the last version seen of a cluster resource is in force, 0 when it was refused")
          .tags("kind", kind, "name", name)
          .register(registry);
      return value;
    }).set(accepted ? 1 : 0);
  }

  public void estimateObserved(String pool, CostEstimate estimate, long actualPrompt, long actualOutput) {
    admission.estimateObserved(pool, estimate, actualPrompt, actualOutput);
    if (actualPrompt > 0 || actualOutput > 0) {
      live.count(pool, "tokens", "estimated", estimate.promptTokens() + estimate.outputTokens());
      live.count(pool, "tokens", "actual", actualPrompt + actualOutput);
    }
  }

  public void requestStarted() {
    active.incrementAndGet();
  }

  /** Counts a finished request; status 499 means the client went away first. */
  public void requestFinished(String model, String pool, String api, int status, long nanos) {
    active.decrementAndGet();
    requestAnswered(model, pool, api, status, nanos);
  }

  /**
   * Counts an answer to a request that never became active: refused before it was routed (401,
   * 404, 413, an unparseable request, ...). {@code api} is one of a few fixed labels.
   */
  public void requestAnswered(String model, String pool, String api, int status, long nanos) {
    // Meters are looked up once per label set and cached: the request path builds no tags.
    requests.computeIfAbsent(new RequestKey(model, pool, api, status), key ->
        Counter.builder("sluice.requests")
            .description("Requests answered, by model, pool, API and HTTP status (499: client closed)")
            .tags("model", model, "pool", pool, "api", api, "status", Integer.toString(status))
            .register(registry))
        .increment();
    durations.computeIfAbsent(new DurationKey(pool, api, status / 100), key ->
        latency("sluice.request.duration", "Time from receiving a request to the end of its response",
            "pool", pool, "api", api, "status_class", (status / 100) + "xx"))
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** Time until a pod sent its response headers. */
  public void upstreamResponded(String pool, long nanos) {
    responses.computeIfAbsent(pool, key -> latency("sluice.upstream.response.duration",
            "Time from sending a request to a pod until its response headers arrived", "pool", pool))
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A latency histogram from 1 ms to 10 minutes, the range of an LLM request. */
  private Timer latency(String name, String description, String... tags) {
    return Timer.builder(name).description(description).tags(tags)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry);
  }

  /**
   * How a request with a service objective fared: {@code met}, {@code missed_ttft}, {@code
   * missed_tpot}, {@code refused} (by the router: queue full, objective unattainable, queue
   * timeout, no ready pod) or {@code failed} (an engine error or a cut-off stream).
   */
  public void sloOutcome(String pool, String trafficClass, String outcome) {
    live.count(pool, "slo", trafficClass + "/" + outcome, 1);
    slo.computeIfAbsent(new SloKey(pool, trafficClass, outcome), key -> Counter.builder("sluice.slo.requests")
        .description("Requests with a service objective, by outcome: met, missed_ttft, missed_tpot, refused, failed")
        .tags("pool", pool, "class", trafficClass, "outcome", outcome)
        .register(registry)).increment();
  }

  /**
   * A streamed request's first token came {@code actualNanos} after arrival, where admission had
   * predicted {@code predictedNanos} (queue wait plus prefill; 0 when admitted at once): records
   * the gap, as {@code late} or {@code early}.
   */
  public void ttftPredicted(String pool, long predictedNanos, long actualNanos) {
    boolean late = actualNanos >= predictedNanos;
    predictionErrors.computeIfAbsent(new ErrorKey(pool, late), key -> Timer.builder("sluice.ttft.prediction.error")
        .description("Time to first token minus the one admission predicted (direction late) or the "
            + "reverse (early), for streamed requests")
        .tags("pool", pool, "direction", late ? "late" : "early")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(5))
        .register(registry)).record(Math.abs(actualNanos - predictedNanos), java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** An upstream failure; reason is one of connect, reset, timeout, stream. */
  public void upstreamError(String pool, String pod, String reason) {
    Counter.builder("sluice.upstream.errors")
        .description("Failures talking to pods, by reason (connect, reset, timeout, stream)")
        .tags("pool", pool, "pod", podTag(pool, pod), "reason", reason)
        .register(registry)
        .increment();
  }

  /** The router ended a request itself: {@code client_write_timeout} or {@code max_stream_duration}. */
  public void streamCutOff(String pool, String reason) {
    Counter.builder("sluice.stream.cutoffs")
        .description("Requests the router ended itself: the client accepted no bytes for clientWriteTimeout "
            + "(client_write_timeout), or the request ran past maxStreamDuration (max_stream_duration)")
        .tags("pool", pool, "reason", reason)
        .register(registry)
        .increment();
  }

  /** A retry or requeue was not made: the pool's retry budget was spent. */
  public void retryBudgetExhausted(String pool) {
    Counter.builder("sluice.upstream.retry.budget.exhausted")
        .description("Retries and requeues not made because the pool's retry budget was spent; the pod's answer "
            + "went to the client")
        .tags("pool", pool)
        .register(registry)
        .increment();
  }

  public void upstreamRetry(String pool) {
    Counter.builder("sluice.upstream.retries")
        .description("Requests sent again to another pod after the first failed before answering")
        .tags("pool", pool)
        .register(registry)
        .increment();
  }

  public long activeRequests() {
    return active.get();
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void close() {
    gcMetrics.close();
    registry.close();
  }
}

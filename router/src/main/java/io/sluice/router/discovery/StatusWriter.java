package io.sluice.router.discovery;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.sluice.crd.k8s.ModelPool;
import io.sluice.crd.k8s.ModelPoolStatus;
import io.sluice.crd.k8s.TrafficClass;
import io.sluice.crd.k8s.TrafficClassStatus;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.runtime.PoolDirectory;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the status of every ModelPool and TrafficClass, from one router replica at a time: the replicas elect a
 * leader on the Lease {@value #LEADER_LEASE} (Fabric8 {@code LeaderElector}), and the leader
 * edits the status subresource of each pool every {@code every} (a JSON patch), skipping a pool whose status
 * has not changed since it last wrote it. The figures (budget, reserved, queued) are the leader's
 * own: with partitioned budgets, its share.
 *
 * <p>Concurrency: the elector's callbacks flip the volatile {@code leading}; writes, and the map of
 * what was last written, belong to the one scheduler thread.
 */
public final class StatusWriter implements AutoCloseable {
  public static final String LEADER_LEASE = "sluice-status-leader";
  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
  private static final ResourceDefinitionContext MODEL_POOLS = ResourceDefinitionContext.fromResourceType(ModelPool.class);
  private static final ResourceDefinitionContext TRAFFIC_CLASSES =
      ResourceDefinitionContext.fromResourceType(TrafficClass.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String identity;
  private final Supplier<List<PoolReport>> reports;
  private final Supplier<List<ClassReport>> classReports;
  private final PoolDirectory runtimes;
  private final Duration every;
  private final Duration leaseDuration;
  private final ScheduledExecutorService scheduler;
  private volatile boolean leading;
  private volatile CompletableFuture<?> election;
  /** The status last written to each resource (namespace/name), so unchanged ones are not written. */
  private final Map<String, ModelPoolStatus> written = new HashMap<>();
  /** The same for traffic classes. */
  private final Map<String, TrafficClassStatus> writtenClasses = new HashMap<>();

  /**
   * @param namespace where the leader Lease lives (the router's own namespace)
   * @param identity this replica's name
   * @param reports what discovery sees of each ModelPool ({@link KubernetesDiscovery#poolReports})
   * @param classReports what discovery sees of each TrafficClass ({@link KubernetesDiscovery#classReports})
   * @param every how often the leader writes
   * @param leaseDuration how long the leader Lease lasts without renewal; a new leader takes over after it
   */
  public StatusWriter(KubernetesClient client, String namespace, String identity, Supplier<List<PoolReport>> reports,
      Supplier<List<ClassReport>> classReports, PoolDirectory runtimes, Duration every, Duration leaseDuration) {
    this.client = client;
    this.namespace = namespace;
    this.identity = identity;
    this.reports = reports;
    this.classReports = classReports;
    this.runtimes = runtimes;
    this.every = every;
    this.leaseDuration = leaseDuration;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "sluice-status");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Joins the election; while leading, writes every {@code every}. */
  public void start() {
    Duration retry = every.dividedBy(2).compareTo(leaseDuration.dividedBy(4)) < 0 ? every.dividedBy(2)
        : leaseDuration.dividedBy(4);
    election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
        .withName("sluice status writer")
        .withLock(new LeaseLock(namespace, LEADER_LEASE, identity))
        .withLeaseDuration(leaseDuration)
        .withRenewDeadline(leaseDuration.multipliedBy(2).dividedBy(3))
        .withRetryPeriod(retry)
        .withReleaseOnCancel(true)
        .withLeaderCallbacks(new LeaderCallbacks(this::startedLeading, this::stoppedLeading,
            leader -> LOG.info("status leader: {}", leader)))
        .build()).build().start();
    scheduler.scheduleWithFixedDelay(this::writeQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** True while this replica holds the leader Lease and writes the status. */
  public boolean leading() {
    return leading;
  }

  private void startedLeading() {
    LOG.info("{} writes the ModelPool and TrafficClass status", identity);
    scheduler.execute(() -> { // write everything afresh: another leader may have written since
      written.clear();
      writtenClasses.clear();
    });
    leading = true;
  }

  private void stoppedLeading() {
    leading = false;
  }

  private void writeQuietly() {
    if (!leading) {
      return;
    }
    for (PoolReport report : reports.get()) {
      try {
        write(report);
      } catch (KubernetesClientException e) {
        if (!scheduler.isShutdown()) {
          LOG.warn("cannot write the status of ModelPool {}/{}: {}", report.namespace(), report.name(), e.getMessage());
        }
      }
    }
    for (ClassReport report : classReports.get()) {
      try {
        write(report);
      } catch (KubernetesClientException e) {
        if (!scheduler.isShutdown()) {
          LOG.warn("cannot write the status of TrafficClass {}/{}: {}", report.namespace(), report.name(),
              e.getMessage());
        }
      }
    }
  }

  private void write(ClassReport report) {
    String key = report.namespace() + "/" + report.name();
    TrafficClassStatus before = writtenClasses.get(key);
    TrafficClassStatus status = status(report, before);
    if (status.equals(before)) {
      return;
    }
    Object body = Serialization.jsonMapper().convertValue(status, Map.class);
    client.genericKubernetesResources(TRAFFIC_CLASSES).inNamespace(report.namespace()).withName(report.name())
        .editStatus(current -> {
          current.getAdditionalProperties().put("status", body);
          return current;
        });
    writtenClasses.put(key, status);
  }

  /** The status of {@code report}'s TrafficClass. */
  static TrafficClassStatus status(ClassReport report, TrafficClassStatus before) {
    boolean accepted = report.problem() == null;
    String message = accepted ? "the spec is valid and in force"
        : report.problem() + (report.inForce() ? " (the last good version stays in force)" : "");
    List<Condition> previous = before == null ? null : before.conditions();
    return new TrafficClassStatus(report.generation(), List.of(condition("Accepted", accepted,
        accepted ? "Valid" : "ValidationFailed", message, report.generation(), previous)));
  }

  private void write(PoolReport report) {
    String key = report.namespace() + "/" + report.name();
    ModelPoolStatus before = written.get(key);
    ModelPoolStatus status = status(report, runtimes.named(report.inForce() == null ? "" : report.inForce()), before);
    if (status.equals(before)) {
      return;
    }
    Object body = Serialization.jsonMapper().convertValue(status, Map.class);
    // A JSON patch of the status subresource: lists (the conditions) are replaced, not merged.
    client.genericKubernetesResources(MODEL_POOLS).inNamespace(report.namespace()).withName(report.name())
        .editStatus(current -> {
          current.getAdditionalProperties().put("status", body);
          return current;
        });
    written.put(key, status);
  }

  /** The status of {@code report}'s resource; {@code runtime} is the pool in force, or null. */
  static ModelPoolStatus status(PoolReport report, PoolRuntime runtime, ModelPoolStatus before) {
    long budget = runtime == null ? 0 : runtime.admission().pods().stream().mapToLong(PodBudget::budget).sum();
    long reserved = runtime == null ? 0 : runtime.admission().reservedTokens();
    int queued = runtime == null ? 0 : runtime.admission().queuedRequests();
    boolean ready = runtime != null && report.readyPods() > 0;
    String readyReason = runtime == null ? "NotInForce" : ready ? "PodsReady" : "NoReadyPods";
    String readyMessage = runtime == null ? "no valid version of this ModelPool is in force"
        : report.readyPods() + " of " + report.pods() + " pods are Running, Ready and have an IP";
    boolean invalid = report.problem() != null;
    List<Condition> previous = before == null ? null : before.conditions();
    List<Condition> conditions = new java.util.ArrayList<>(List.of(
        condition("Ready", ready, readyReason, readyMessage, report.generation(), previous),
        condition("Invalid", invalid, invalid ? "ValidationFailed" : "Valid",
            invalid ? report.problem() + (runtime != null ? " (the last good version stays in force)" : "")
                : "the spec is valid and in force", report.generation(), previous)));
    if (runtime != null && runtime.coordination() != PoolRuntime.Coordination.NONE) {
      boolean fallback = runtime.coordination() == PoolRuntime.Coordination.FALLBACK;
      conditions.add(condition("BudgetShared", !fallback, fallback ? "RedisUnreachable" : "RedisLedger",
          fallback ? "Redis cannot be reached: each replica uses budget / live replicas (partitioned) until it can"
              : "pod budgets are shared through the ledger in Redis", report.generation(), previous));
    }
    return new ModelPoolStatus(report.generation(), report.pods(), report.readyPods(), budget, reserved, queued,
        List.copyOf(conditions));
  }

  /** A condition; its lastTransitionTime is kept from {@code before} when its status did not change. */
  private static Condition condition(String type, boolean on, String reason, String message, Long generation,
      List<Condition> before) {
    String status = on ? "True" : "False";
    String since = before == null ? null : before.stream()
        .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(null);
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since != null ? since
            : DateTimeFormatter.ISO_INSTANT.format(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)))
        .build();
  }

  /** Leaves the election (releasing the Lease if it held it) and stops writing. */
  @Override
  public void close() {
    leading = false;
    CompletableFuture<?> running = election;
    if (running != null) {
      running.cancel(true);
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

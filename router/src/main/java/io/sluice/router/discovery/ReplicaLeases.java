package io.sluice.router.discovery;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the live router replicas, for partitioned budgets. Each replica keeps a Lease named
 * {@code sluice-router-<identity>} labelled {@value #COMPONENT_LABEL}={@value #COMPONENT}, renewed
 * every {@code renewEvery}; a replica is live while its Lease's {@code renewTime +
 * leaseDurationSeconds} lies in the future. After each renewal the count (at least 1: this replica)
 * goes to {@link ClusterSink#setRouterReplicas}. Closing deletes this replica's Lease, so the
 * others rebalance at their next renewal; a crashed replica's Lease simply runs out.
 *
 * <p>Concurrency: renewals run on one scheduler thread; {@link #replicas} is a volatile read.
 */
public final class ReplicaLeases implements AutoCloseable {
  public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
  public static final String COMPONENT = "sluice-router";
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaLeases.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String identity;
  private final String leaseName;
  private final Duration leaseDuration;
  private final Duration renewEvery;
  private final ClusterSink sink;
  private final ScheduledExecutorService scheduler;
  private volatile int replicas = 1;

  /**
   * @param namespace the router's own namespace, where the Leases live
   * @param identity this replica's name (its pod name, or host name)
   * @param leaseDuration how long a Lease counts after its last renewal
   * @param renewEvery how often this replica renews its Lease and recounts; well below {@code leaseDuration}
   */
  public ReplicaLeases(KubernetesClient client, String namespace, String identity, Duration leaseDuration,
      Duration renewEvery, ClusterSink sink) {
    if (renewEvery.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException("renew the lease more often than it lasts");
    }
    this.client = client;
    this.namespace = namespace;
    this.identity = identity;
    this.leaseName = "sluice-router-" + identity;
    this.leaseDuration = leaseDuration;
    this.renewEvery = renewEvery;
    this.sink = sink;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "sluice-replica-lease");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Takes this replica's Lease and counts the replicas once, then keeps renewing in the background. */
  public void start() {
    renewAndCount();
    scheduler.scheduleWithFixedDelay(this::renewQuietly, renewEvery.toMillis(), renewEvery.toMillis(),
        TimeUnit.MILLISECONDS);
    LOG.info("router replica {} holds Lease {}/{}; {} replicas live", identity, namespace, leaseName, replicas);
  }

  /** Live replicas at the last renewal, this one included. */
  public int replicas() {
    return replicas;
  }

  private void renewQuietly() {
    try {
      renewAndCount();
    } catch (KubernetesClientException e) {
      if (!scheduler.isShutdown()) { // else: interrupted by close()
        LOG.warn("cannot renew Lease {}/{} or count replicas: {}", namespace, leaseName, e.getMessage());
      }
    }
  }

  private void renewAndCount() {
    Instant now = Instant.now();
    Lease lease = new LeaseBuilder()
        .withNewMetadata().withName(leaseName).withNamespace(namespace).addToLabels(COMPONENT_LABEL, COMPONENT)
        .endMetadata()
        .withNewSpec().withHolderIdentity(identity).withLeaseDurationSeconds(seconds(leaseDuration))
        .withRenewTime(ZonedDateTime.ofInstant(now.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC)).endSpec()
        .build();
    try {
      client.leases().inNamespace(namespace).resource(lease).patch();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      client.leases().inNamespace(namespace).resource(lease).create(); // first renewal, or deleted by someone
    }
    int live = (int) client.leases().inNamespace(namespace).withLabel(COMPONENT_LABEL, COMPONENT).list().getItems()
        .stream().filter(other -> leaseName.equals(other.getMetadata().getName()) || live(other, now)).count();
    int count = Math.max(1, live);
    replicas = count;
    sink.setRouterReplicas(count);
  }

  /** True while the Lease's last renewal plus its duration lies after {@code now}. */
  static boolean live(Lease lease, Instant now) {
    if (lease.getSpec() == null || lease.getSpec().getRenewTime() == null
        || lease.getSpec().getLeaseDurationSeconds() == null) {
      return false;
    }
    Instant renewed = lease.getSpec().getRenewTime().toInstant();
    return renewed.plusSeconds(lease.getSpec().getLeaseDurationSeconds()).isAfter(now);
  }

  private static int seconds(Duration duration) {
    return (int) Math.max(1, (duration.toMillis() + 999) / 1000);
  }

  /** Stops renewing and deletes this replica's Lease. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
      client.leases().inNamespace(namespace).withName(leaseName).delete();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (KubernetesClientException e) {
      LOG.warn("cannot delete Lease {}/{}: {}", namespace, leaseName, e.getMessage());
    }
  }
}

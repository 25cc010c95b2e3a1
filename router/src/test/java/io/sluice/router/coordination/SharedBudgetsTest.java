package io.sluice.router.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.SluiceServer;
import io.sluice.router.admission.AdmissionCallback;
import io.sluice.router.admission.AdmissionController;
import io.sluice.router.admission.AdmissionRequest;
import io.sluice.router.admission.Decision;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.admission.Reservation;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.testing.RedisServer;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three routers with {@code coordination: redis} share two pods through a real redis-server. Many
 * threads reserve and release through the routers' admission controllers (no HTTP: the ledger is
 * what is under test). The tokens held across all three never pass a pod's budget, every
 * reservation ends, and the shares behave on a crash and while Redis is away.
 */
class SharedBudgetsTest {
  private static final long BUDGET = 1000;
  private RedisServer redis;
  private Vertx vertx;
  private final List<SluiceServer> routers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    for (SluiceServer router : routers) {
      router.shutdown().await(10, TimeUnit.SECONDS);
    }
    if (vertx != null) { // null when redis-server is missing and the test was skipped
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (redis != null) {
      redis.close();
    }
  }

  private SluiceServer router(String ttl, int fallbackReplicas) throws Exception {
    String yaml = """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: shared}
        spec:
          models: [m]
          endpoints: ["http://127.0.0.1:1", "http://127.0.0.1:2"]
          engine: generic
          budget: {tokensPerPod: %d, coordination: redis}
          queue: {maxWait: 60s, maxLength: 100000, maxQueuedTokens: 100000000}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          redis: {address: "%s", timeout: 300ms, keyPrefix: "t:", leaseTtl: %s, fallbackReplicas: %d}
        """.formatted(BUDGET, redis.address(), ttl, fallbackReplicas);
    ConfigLoader.Result config = ConfigLoader.parse(yaml, "shared.yaml");
    assertThat(config.problems()).isEmpty();
    SluiceServer router = SluiceServer.start(vertx, config.config(), SluiceServer.Options.loopback(0, 0))
        .await(10, TimeUnit.SECONDS);
    routers.add(router);
    return router;
  }

  private static PoolRuntime pool(SluiceServer router) {
    return router.pools().named("shared");
  }

  private static long ledgerTotal(SluiceServer router, RedisLedger ledger, String pod) throws Exception {
    return ledger.total("shared", pod).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** Reserves through {@code controller}, waiting in its queue when needed. */
  private static Reservation reserve(AdmissionController controller, long tokens) throws Exception {
    CompletableFuture<Reservation> admitted = new CompletableFuture<>();
    Decision decision = controller.admit(new AdmissionRequest(tokens, 0, "default", "t"), new AdmissionCallback() {
      @Override
      public void admitted(Reservation reservation, long waitedNanos) {
        admitted.complete(reservation);
      }

      @Override
      public void expired(long waitedNanos) {
        admitted.completeExceptionally(new IllegalStateException("expired after " + waitedNanos + " ns"));
      }
    });
    if (decision instanceof Decision.Admitted now) {
      return now.reservation();
    }
    assertThat(decision).isInstanceOf(Decision.Queued.class);
    return admitted.get(60, TimeUnit.SECONDS);
  }

  @Test
  void threeRoutersUnderLoadNeverHoldMoreThanAPodsBudget() throws Exception {
    List<SluiceServer> three = List.of(router("2s", 3), router("2s", 3), router("2s", 3));
    Map<String, AtomicLong> held = new ConcurrentHashMap<>();
    Map<String, AtomicLong> highest = new ConcurrentHashMap<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicLong admitted = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 9; t++) {
      AdmissionController controller = pool(three.get(t % 3)).admission();
      Thread thread = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
          for (int i = 0; i < 150; i++) {
            Reservation reservation = reserve(controller, random.nextLong(50, 400));
            long now = held.computeIfAbsent(reservation.podId(), p -> new AtomicLong()).addAndGet(reservation.tokens());
            highest.computeIfAbsent(reservation.podId(), p -> new AtomicLong()).accumulateAndGet(now, Math::max);
            LockSupport.parkNanos(random.nextLong(100_000, 2_000_000)); // the request runs
            held.get(reservation.podId()).addAndGet(-reservation.tokens());
            assertThat(reservation.release()).isTrue();
            admitted.incrementAndGet();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(120_000);
    }
    assertThat(failures).isEmpty();
    assertThat(admitted.get()).isEqualTo(9 * 150);
    assertThat(highest).hasSize(2);
    highest.values().forEach(max -> assertThat(max.get()).isLessThanOrEqualTo(BUDGET));
    for (SluiceServer router : three) {
      assertThat(pool(router).admission().reservedTokens()).isZero();
      assertThat(pool(router).admission().inFlight()).isZero();
      assertThat(pool(router).coordination()).isEqualTo(PoolRuntime.Coordination.SHARED);
    }
    System.out.printf("3 routers, 2 pods of %d tokens: %d reservations, most held at once per pod %s%n",
        BUDGET, admitted.get(), highest);
    // Shut down cleanly, each router drops its shares: the ledger is empty.
    try (RedisLedger observer = new RedisLedger(io.vertx.redis.client.Redis.createClient(vertx, redis.address()), "t:",
        2000)) {
      for (SluiceServer router : three) {
        router.shutdown().await(10, TimeUnit.SECONDS);
      }
      for (PodBudget pod : pool(three.get(0)).admission().pods()) {
        assertThat(ledgerTotal(three.get(0), observer, pod.podId())).isZero();
      }
    }
  }

  @Test
  void aCrashedRoutersSharesLapseAfterTheTtl() throws Exception {
    SluiceServer survivor = router("900ms", 1);
    Vertx doomedVertx = Vertx.vertx();
    String yaml = """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: shared}
        spec:
          models: [m]
          endpoints: ["http://127.0.0.1:1", "http://127.0.0.1:2"]
          engine: generic
          budget: {tokensPerPod: %d, coordination: redis}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          redis: {address: "%s", timeout: 300ms, keyPrefix: "t:", leaseTtl: 900ms}
        """.formatted(BUDGET, redis.address());
    SluiceServer doomed = SluiceServer.start(doomedVertx, ConfigLoader.parse(yaml, "d.yaml").config(),
        SluiceServer.Options.loopback(0, 0)).await(10, TimeUnit.SECONDS);
    try (RedisLedger observer = new RedisLedger(io.vertx.redis.client.Redis.createClient(vertx, redis.address()), "t:",
        2000)) {
      RouterHarness.eventually(() -> pool(doomed).coordination() == PoolRuntime.Coordination.SHARED
          && pool(survivor).coordination() == PoolRuntime.Coordination.SHARED);
      // The doomed router takes most of both pods for requests that will never end.
      List<Reservation> stuck = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        stuck.add(reserve(pool(doomed).admission(), 400));
      }
      String pod = stuck.get(0).podId();
      assertThat(ledgerTotal(survivor, observer, pod)).isGreaterThanOrEqualTo(800);
      // The survivor cannot get a full pod's worth meanwhile.
      assertThat(pool(survivor).admission().pod(pod).orElseThrow().budget()).isLessThanOrEqualTo(BUDGET - 800);

      // Crash: its Vert.x (and so its Redis connection) goes away without a shutdown; nothing renews its shares.
      doomedVertx.close().await(10, TimeUnit.SECONDS);
      long crashedAt = System.nanoTime();
      RouterHarness.eventually(() -> {
        try {
          return ledgerTotal(survivor, observer, pod) < 800; // only the survivor's idle headroom is left
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);
      System.out.printf("a crashed router's shares were free again %d ms after the crash (TTL 900 ms)%n", millis);
      // The survivor alone now holds every share in the ledger, and can reserve a whole pod.
      Reservation whole = reserve(pool(survivor).admission(), BUDGET);
      assertThat(ledgerTotal(survivor, observer, whole.podId())).isEqualTo(BUDGET);
      whole.release();
      // The survivor shuts down too: it drops its shares, and the ledger is back at exactly zero.
      survivor.shutdown().await(10, TimeUnit.SECONDS);
      for (PodBudget p : pool(survivor).admission().pods()) {
        assertThat(ledgerTotal(survivor, observer, p.podId())).isZero();
      }
      doomed.ledger().close();
    } finally {
      doomedVertx.close();
    }
  }

  @Test
  void redisAwayFallsBackToPartitionedAndComesBack() throws Exception {
    SluiceServer router = router("900ms", 4);
    PoolRuntime pool = pool(router);
    RouterHarness.eventually(() -> pool.coordination() == PoolRuntime.Coordination.SHARED);
    redis.stop();
    RouterHarness.eventually(() -> pool.coordination() == PoolRuntime.Coordination.FALLBACK);
    assertThat(pool.admission().pods()).allSatisfy(p -> assertThat(p.budget()).isEqualTo(BUDGET / 4));
    assertThat(router.ledger().errors()).isPositive();
    assertThat(router.metrics().scrape()).contains("sluice_coordination_fallback{pool=\"shared\"} 1.0")
        .contains("sluice_redis_errors_total{pool=\"shared\"}");
    // Requests are still admitted meanwhile, within the partitioned share.
    Reservation during = reserve(pool.admission(), BUDGET / 4);
    redis.restart();
    RouterHarness.eventually(() -> pool.coordination() == PoolRuntime.Coordination.SHARED);
    assertThat(router.metrics().scrape()).contains("sluice_coordination_fallback{pool=\"shared\"} 0.0");
    try (RedisLedger observer = new RedisLedger(io.vertx.redis.client.Redis.createClient(vertx, redis.address()), "t:",
        2000)) {
      // The request admitted during the outage is recorded in the fresh Redis: it is never taken away.
      assertThat(ledgerTotal(router, observer, during.podId())).isGreaterThanOrEqualTo(BUDGET / 4);
      during.release();
      Reservation whole = reserve(pool.admission(), BUDGET);
      whole.release();
    }
  }
}

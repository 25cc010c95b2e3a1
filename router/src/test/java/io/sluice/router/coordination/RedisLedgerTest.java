package io.sluice.router.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.config.RedisSettings;
import io.sluice.router.testing.RedisServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The Lua ledger's semantics against a real redis-server. */
class RedisLedgerTest {
  private static final long BUDGET = 1000;
  private static RedisServer server;
  private static Vertx vertx;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private static RedisLedger ledger(Duration ttl) {
    return RedisLedger.connect(vertx, new RedisSettings(server.address(), Duration.ofSeconds(2), "test:", ttl, 1));
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void sharesOfOnePodNeverAddUpPastItsBudget(TestInfo test) throws Exception {
    String pool = test.getTestMethod().orElseThrow().getName();
    try (RedisLedger ledger = ledger(Duration.ofSeconds(30))) {
      assertThat(await(ledger.lease(pool, "p1", "a", 600, 0, 0, BUDGET)).granted()).isEqualTo(600);
      SharedLedger.Grant b = await(ledger.lease(pool, "p1", "b", 600, 0, 0, BUDGET));
      assertThat(b.granted()).isEqualTo(400);
      assertThat(await(ledger.lease(pool, "p1", "a", 600, 600, 0, BUDGET)).othersWaiting()).isEqualTo(200);
      assertThat(await(ledger.total(pool, "p1"))).isEqualTo(BUDGET);
      // A gives back 300: B gets it on its next call, and nobody waits any more.
      assertThat(await(ledger.lease(pool, "p1", "a", 300, 300, 0, BUDGET)).granted()).isEqualTo(300);
      assertThat(await(ledger.lease(pool, "p1", "b", 700, 400, 0, BUDGET))).isEqualTo(new SharedLedger.Grant(700, 0));
      assertThat(await(ledger.lease(pool, "p1", "a", 300, 300, 0, BUDGET)).othersWaiting()).isZero();
      // Another pod of the pool has its own budget.
      assertThat(await(ledger.lease(pool, "p2", "a", 1000, 0, 0, BUDGET)).granted()).isEqualTo(1000);
    }
  }

  @Test
  void keepIsNeverTakenAwayEvenPastTheBudget(TestInfo test) throws Exception {
    String pool = test.getTestMethod().orElseThrow().getName();
    try (RedisLedger ledger = ledger(Duration.ofSeconds(30))) {
      await(ledger.lease(pool, "p1", "a", 900, 0, 0, BUDGET));
      // B already holds 300 (it cannot give back tokens a running request holds): recorded, not refused.
      assertThat(await(ledger.lease(pool, "p1", "b", 500, 300, 0, BUDGET)).granted()).isEqualTo(300);
      assertThat(await(ledger.total(pool, "p1"))).isEqualTo(1200);
      // Until A shrinks, nothing more is granted to anyone.
      assertThat(await(ledger.lease(pool, "p1", "c", 100, 0, 0, BUDGET)).granted()).isZero();
    }
  }

  @Test
  void anOfferBelowAtLeastIsNotTaken(TestInfo test) throws Exception {
    String pool = test.getTestMethod().orElseThrow().getName();
    try (RedisLedger ledger = ledger(Duration.ofSeconds(30))) {
      await(ledger.lease(pool, "p1", "a", 700, 0, 0, BUDGET));
      // B needs 400 for its next request: 300 would only block others, so it keeps what it holds (100).
      assertThat(await(ledger.lease(pool, "p1", "b", 400, 100, 400, BUDGET)).granted()).isEqualTo(100);
      // It waits for 300 more; once A gives back, B gets all it asked for.
      assertThat(await(ledger.lease(pool, "p1", "a", 500, 500, 0, BUDGET)).othersWaiting()).isEqualTo(300);
      assertThat(await(ledger.lease(pool, "p1", "b", 400, 100, 400, BUDGET)).granted()).isEqualTo(400);
    }
  }

  @Test
  void droppingAShareFreesItAtOnce(TestInfo test) throws Exception {
    String pool = test.getTestMethod().orElseThrow().getName();
    try (RedisLedger ledger = ledger(Duration.ofSeconds(30))) {
      await(ledger.lease(pool, "p1", "a", 1000, 0, 0, BUDGET));
      assertThat(await(ledger.lease(pool, "p1", "a", 0, 0, 0, BUDGET)).granted()).isZero();
      assertThat(await(ledger.shareOf(pool, "p1", "a"))).isZero();
      assertThat(await(ledger.total(pool, "p1"))).isZero();
    }
  }

  @Test
  void aShareNobodyRenewsLapsesAfterTheTtl(TestInfo test) throws Exception {
    String pool = test.getTestMethod().orElseThrow().getName();
    try (RedisLedger ledger = ledger(Duration.ofMillis(400))) {
      await(ledger.lease(pool, "p1", "crashed", 1000, 0, 0, BUDGET));
      assertThat(await(ledger.lease(pool, "p1", "b", 500, 0, 0, BUDGET)).granted()).isZero();
      // The crashed replica renews no more: its share lapses once the TTL has run out, not before.
      long leased = System.nanoTime();
      eventually(() -> await(ledger.total(pool, "p1")) == 0);
      assertThat(System.nanoTime() - leased).as("lapsed after the 400 ms TTL").isGreaterThanOrEqualTo(300_000_000L);
      assertThat(await(ledger.lease(pool, "p1", "b", 1000, 0, 0, BUDGET)).granted()).isEqualTo(1000);
      // And with nobody renewing at all, the pod's keys expire in Redis.
      eventually(() -> !exists(ledger.sharesKey(pool, "p1")));
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  /** Waits up to 10 s for {@code check}; fails if it never holds. */
  private static void eventually(Check check) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (!check.holds()) {
      assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static boolean exists(String key) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write(("EXISTS " + key + "\r\n").getBytes());
      String reply = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
      return !":0".equals(reply);
    }
  }

  /**
   * Sixteen replicas on eight threads each shrink, grow and renew at random, following the
   * coordinator's protocol (shrink what it holds first, then tell the ledger with keep = held). An
   * atomic snapshot of the ledger (the TOTAL script) never exceeds the budget, and once every
   * replica dropped its share the ledger is back at exactly zero.
   */
  @Test
  void manyReplicasOnManyThreadsNeverPassTheBudget(TestInfo test) throws Exception {
    String pool = test.getTestMethod().orElseThrow().getName();
    int threads = 8;
    int replicasPerThread = 2;
    int rounds = 400;
    try (RedisLedger ledger = ledger(Duration.ofSeconds(30)); RedisLedger observer = ledger(Duration.ofSeconds(30))) {
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong highest = new AtomicLong();
      AtomicLong checks = new AtomicLong();
      Thread checker = new Thread(() -> {
        while (running.get()) {
          try {
            long total = await(observer.total(pool, "p1"));
            highest.accumulateAndGet(total, Math::max);
            checks.incrementAndGet();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      });
      checker.start();
      List<Thread> workers = new ArrayList<>();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(threads);
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread worker = new Thread(() -> {
          try {
            long[] held = new long[replicasPerThread];
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < rounds; i++) {
              int r = random.nextInt(replicasPerThread);
              long want = random.nextLong(0, 400);
              if (want < held[r]) {
                held[r] = want; // give back: locally first
              }
              long granted = await(ledger.lease(pool, "p1", "r" + thread + "-" + r, want, held[r], 0, BUDGET)).granted();
              assertThat(granted).isBetween(held[r], Math.max(held[r], want));
              held[r] = granted;
            }
            for (int r = 0; r < replicasPerThread; r++) {
              await(ledger.lease(pool, "p1", "r" + thread + "-" + r, 0, 0, 0, BUDGET));
            }
          } catch (Throwable e) {
            failures.add(e);
          } finally {
            done.countDown();
          }
        });
        workers.add(worker);
        worker.start();
      }
      assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
      running.set(false);
      checker.join(10_000);
      assertThat(failures).isEmpty();
      assertThat(checks.get()).isPositive();
      assertThat(highest.get()).isLessThanOrEqualTo(BUDGET);
      assertThat(await(ledger.total(pool, "p1"))).isZero();
      System.out.printf("ledger: %d lease calls, %d snapshots, highest total %d of %d%n",
          threads * rounds, checks.get(), highest.get(), BUDGET);
    }
  }
}

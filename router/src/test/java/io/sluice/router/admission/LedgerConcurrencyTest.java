package io.sluice.router.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.AdmissionMode;
import io.sluice.crd.QueuePolicy;
import io.sluice.crd.QueueSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Many threads reserve, release, cancel and grow at once. Invariants: in enforce mode no pod's
 * reserved tokens ever exceed its budget (growth aside), no reservation or waiter ends twice, and
 * when everything has ended every counter is exactly zero.
 */
class LedgerConcurrencyTest {
  private static final int THREADS = 8;
  private static final int OPERATIONS = 20_000;
  private static final long BUDGET = 10_000;

  @RepeatedTest(3)
  void countersReturnToExactlyZero() throws Exception {
    VirtualClock clock = new VirtualClock();
    QueueSpec queue = new QueueSpec(200, 1_000_000L, Duration.ofSeconds(30), 1.0, Duration.ofSeconds(5), QueuePolicy.FIFO);
    AdmissionController controller = new AdmissionController(
        "pool", queue, AdmissionMode.ENFORCE, new MostHeadroom(), AdmissionListener.NONE, clock);
    for (int i = 0; i < 4; i++) {
      controller.addPod("pod-" + i, BUDGET);
    }
    ConcurrentLinkedQueue<Reservation> fromQueue = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    AtomicInteger doubleEndings = new AtomicInteger();
    AtomicInteger overBudget = new AtomicInteger();
    AtomicLong admittedCount = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);

    AdmissionCallback callback = new AdmissionCallback() {
      @Override
      public void admitted(Reservation reservation, long waitedNanos) {
        admittedCount.incrementAndGet();
        fromQueue.add(reservation);
      }

      @Override
      public void expired(long waitedNanos) {}
    };

    Thread watcher = new Thread(() -> {
      while (running.get()) {
        for (PodBudget pod : controller.pods()) {
          if (pod.reserved() > pod.budget()) {
            overBudget.incrementAndGet();
          }
        }
      }
    });
    watcher.start();

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      long seed = 42 + t;
      workers.add(pool.submit(() -> {
        SplittableRandom random = new SplittableRandom(seed);
        List<Reservation> held = new ArrayList<>();
        start.await();
        for (int op = 0; op < OPERATIONS; op++) {
          int choice = random.nextInt(10);
          if (choice < 4) {
            Decision decision = controller.admit(
                prompted(1 + random.nextInt(3000), random.nextInt(3), "class-" + random.nextInt(2)),
                callback);
            if (decision instanceof Decision.Admitted admitted) {
              held.add(admitted.reservation());
            } else if (decision instanceof Decision.Queued queued) {
              waiters.add(queued.waiter());
            }
          } else if (choice < 7 && !held.isEmpty()) {
            Reservation reservation = held.remove(random.nextInt(held.size()));
            if (random.nextBoolean()) {
              reservation.firstToken(); // the prompt leaves the pending prefill now, else at the release
            }
            assertThat(reservation.release()).isTrue();
            if (reservation.release()) {
              doubleEndings.incrementAndGet();
            }
          } else if (choice < 8) {
            Waiter waiter = waiters.poll();
            if (waiter != null) {
              waiter.cancel();
            }
          } else {
            Reservation reservation = fromQueue.poll();
            if (reservation != null && !reservation.release()) {
              doubleEndings.incrementAndGet();
            }
          }
        }
        held.forEach(Reservation::release);
        return null;
      }));
    }
    start.countDown();
    for (Future<?> worker : workers) {
      worker.get();
    }
    pool.shutdown();
    running.set(false);
    watcher.join();

    // End everything still open: waiters expire, reservations handed over are released.
    clock.advance(Duration.ofMinutes(1));
    controller.tick();
    Reservation leftover;
    while ((leftover = fromQueue.poll()) != null) {
      leftover.release();
    }
    controller.tick();

    assertThat(doubleEndings.get()).isZero();
    assertThat(overBudget.get()).isZero();
    assertThat(admittedCount.get()).isPositive();
    assertThat(controller.queuedRequests()).isZero();
    assertThat(controller.queuedTokens()).isZero();
    assertThat(controller.queued("class-0").requests()).isZero();
    assertThat(controller.queued("class-1").tokens()).isZero();
    assertThat(controller.reservedTokens()).isZero();
    assertThat(controller.inFlight()).isZero();
    for (PodBudget pod : controller.pods()) {
      assertThat(pod.reserved()).isZero();
      assertThat(pod.inFlight()).isZero();
      assertThat(pod.pendingPrefill()).isZero();
    }
  }

  @RepeatedTest(3)
  void growthRacingReleaseNeverLeaksTokens() throws Exception {
    VirtualClock clock = new VirtualClock();
    AdmissionController controller = new AdmissionController("pool", QueueSpec.defaults(), AdmissionMode.ENFORCE,
        new MostHeadroom(), AdmissionListener.NONE, clock);
    controller.addPod("pod", 1_000_000_000L);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int i = 0; i < 20_000; i++) {
      Reservation reservation = ((Decision.Admitted) controller.admit(
          new AdmissionRequest(100, 0, "c", "t"), null)).reservation();
      CountDownLatch go = new CountDownLatch(1);
      Future<?> grower = pool.submit(() -> {
        go.await();
        reservation.grow(16);
        reservation.grow(16);
        return null;
      });
      Future<Boolean> releaser = pool.submit(() -> {
        go.await();
        return reservation.release();
      });
      go.countDown();
      grower.get();
      assertThat(releaser.get()).isTrue();
    }
    pool.shutdown();
    assertThat(controller.reservedTokens()).isZero();
    assertThat(controller.pods().get(0).reserved()).isZero();
    assertThat(controller.inFlight()).isZero();
  }

  /** A request whose prompt is half its reservation, so the pods' pending prefill moves too. */
  private static AdmissionRequest prompted(long tokens, int priority, String trafficClass) {
    return new AdmissionRequest(tokens, priority, trafficClass, "t", null, java.util.Set.of(), null, tokens / 2);
  }
}

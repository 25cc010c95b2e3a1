package io.sluice.router.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.AdmissionMode;
import io.sluice.crd.QueueSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;

/**
 * A shared ledger shrinks a pod's share while reservations race it: it sets the smaller share,
 * then reads what is reserved, and records {@code max(share, reserved)}; it records a larger share
 * (never below what is reserved) before using it, as {@code LedgerCoordinator} does. Whatever the interleaving, the tokens held never pass what is recorded: the
 * shrink is linearizable with reservations (a reservation re-reads the budget after its CAS).
 */
class ShareShrinkTest {

  @Test
  void heldTokensNeverPassTheRecordedShare() throws Exception {
    AdmissionController controller = new AdmissionController("pool", QueueSpec.defaults(), AdmissionMode.ENFORCE,
        new MostHeadroom(), AdmissionListener.NONE, new VirtualClock());
    PodBudget pod = controller.addPod("pod", 0);
    AtomicLong recorded = new AtomicLong();
    AtomicLong held = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicLong admitted = new AtomicLong();
    // Only the bookkeeping of the test is locked, never the ledger: a reserver adds what it holds and
    // reads the recorded share at one instant (no update of the record in between), so a stale sum
    // is never compared with a newer, smaller record.
    ReadWriteLock books = new ReentrantReadWriteLock();
    List<Thread> reservers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread reserver = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.get()) {
          long tokens = random.nextLong(1, 200);
          Optional<Reservation> reservation = pod.tryReserve(tokens);
          if (reservation.isEmpty()) {
            continue;
          }
          books.readLock().lock();
          try {
            long now = held.addAndGet(tokens);
            long limit = recorded.get();
            if (now > limit) {
              violations.add(now + " held > " + limit + " recorded");
            }
          } finally {
            books.readLock().unlock();
          }
          admitted.incrementAndGet();
          held.addAndGet(-tokens);
          reservation.get().release();
        }
      });
      reservers.add(reserver);
      reserver.start();
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 200_000; i++) {
      long share = random.nextLong(0, 1000);
      if (share < pod.budget()) {
        controller.setShare("pod", share, 1000); // give back: locally first...
        record(books, recorded, Math.max(share, pod.reserved())); // ...then tell the ledger
      } else {
        record(books, recorded, Math.max(share, Math.max(pod.budget(), pod.reserved()))); // granted first...
        controller.setShare("pod", share, 1000); // ...then used
      }
    }
    running.set(false);
    for (Thread reserver : reservers) {
      reserver.join(10_000);
    }
    assertThat(admitted.get()).isPositive();
    assertThat(violations).isEmpty();
    assertThat(pod.reserved()).isZero();
    assertThat(pod.inFlight()).isZero();
    assertThat(pod.ceiling()).isEqualTo(1000);
  }

  private static void record(ReadWriteLock books, AtomicLong recorded, long value) {
    books.writeLock().lock();
    try {
      recorded.set(value);
    } finally {
      books.writeLock().unlock();
    }
  }
}

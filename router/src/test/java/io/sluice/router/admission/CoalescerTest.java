package io.sluice.router.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** The dispatcher's state machine: no ask is lost, runs never overlap, callbacks run after the lock. */
class CoalescerTest {
  @Test
  void aRequestFromTheThreadRunningTheTaskMakesItGoRoundOnceMore() {
    ReentrantLock lock = new ReentrantLock();
    AtomicInteger runs = new AtomicInteger();
    Coalescer[] self = new Coalescer[1];
    self[0] = new Coalescer(lock, after -> {
      if (runs.incrementAndGet() == 1) {
        self[0].request(); // capacity freed by the dispatch itself
      }
    });
    self[0].request();
    assertThat(runs.get()).isEqualTo(2);
    assertThat(self[0].state()).isEqualTo(Coalescer.State.IDLE);
  }

  @Test
  void callbacksRunAfterTheLockIsReleased() {
    ReentrantLock lock = new ReentrantLock();
    List<Boolean> heldDuringCallback = new ArrayList<>();
    Coalescer coalescer = new Coalescer(lock, after -> after.add(() -> heldDuringCallback.add(lock.isLocked())));
    coalescer.request();
    assertThat(heldDuringCallback).containsExactly(false);
  }

  @Test
  void aRequestWhileAnotherThreadHoldsTheLockIsRunByTheNextRequest() {
    ReentrantLock lock = new ReentrantLock();
    AtomicInteger runs = new AtomicInteger();
    Coalescer coalescer = new Coalescer(lock, after -> runs.incrementAndGet());
    lock.lock(); // e.g. an enqueue holding the queue lock on this thread
    try {
      coalescer.request();
      assertThat(runs.get()).isZero();
      assertThat(coalescer.state()).isEqualTo(Coalescer.State.REQUIRED);
    } finally {
      lock.unlock();
    }
    coalescer.request();
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void underManyThreadsEveryRequestIsFollowedByARunThatSawIt() throws Exception {
    // Each thread bumps a counter then asks for a run; the task records the highest count it saw.
    // When all are done, some run must have seen the final count (no lost wake-up), and no two runs
    // overlapped.
    ReentrantLock lock = new ReentrantLock();
    AtomicLong asked = new AtomicLong();
    AtomicLong seen = new AtomicLong();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    Coalescer coalescer = new Coalescer(lock, after -> {
      if (inside.incrementAndGet() > 1) {
        overlaps.incrementAndGet();
      }
      seen.accumulateAndGet(asked.get(), Math::max);
      inside.decrementAndGet();
    });
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 20_000; i++) {
          asked.incrementAndGet();
          coalescer.request();
        }
      });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    assertThat(overlaps.get()).isZero();
    assertThat(seen.get()).isEqualTo(asked.get()).isEqualTo(threads * 20_000L);
    assertThat(coalescer.state()).isEqualTo(Coalescer.State.IDLE);
  }
}

package io.sluice.router.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The round state machine: one run at a time, asks during a run make one more run, none is lost. */
class AsyncCoalescerTest {
  @Test
  void theFirstAskStartsARun() {
    AsyncCoalescer rounds = new AsyncCoalescer();
    assertThat(rounds.request()).isTrue();
    assertThat(rounds.state()).isEqualTo(AsyncCoalescer.State.RUNNING);
  }

  @Test
  void aRunWithNoAskMeanwhileEndsIdle() {
    AsyncCoalescer rounds = new AsyncCoalescer();
    rounds.request();
    assertThat(rounds.runAgain()).isFalse();
    assertThat(rounds.state()).isEqualTo(AsyncCoalescer.State.IDLE);
  }

  @Test
  void asksDuringARunMakeExactlyOneMoreRun() {
    AsyncCoalescer rounds = new AsyncCoalescer();
    rounds.request();
    assertThat(rounds.request()).isFalse();
    assertThat(rounds.request()).isFalse();
    assertThat(rounds.state()).isEqualTo(AsyncCoalescer.State.AGAIN);
    assertThat(rounds.runAgain()).isTrue();
    assertThat(rounds.state()).isEqualTo(AsyncCoalescer.State.RUNNING);
    assertThat(rounds.runAgain()).isFalse();
  }

  @Test
  void resetDropsAnAskMadeMeanwhile() {
    AsyncCoalescer rounds = new AsyncCoalescer();
    rounds.request();
    rounds.request();
    rounds.reset();
    assertThat(rounds.state()).isEqualTo(AsyncCoalescer.State.IDLE);
    assertThat(rounds.request()).isTrue();
  }

  @Test
  void endingARunThatIsNotRunningIsABug() {
    AsyncCoalescer rounds = new AsyncCoalescer();
    assertThatThrownBy(rounds::runAgain).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void underManyThreadsEveryAskIsFollowedByARunThatSawIt() throws Exception {
    // Each asker bumps a counter then asks; runs are handed to a separate runner thread (as a round
    // ends on whichever thread brings the last reply). When all is done, some run saw the final
    // count and no two runs overlapped.
    AsyncCoalescer rounds = new AsyncCoalescer();
    AtomicLong asked = new AtomicLong();
    AtomicLong seen = new AtomicLong();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    ConcurrentLinkedQueue<Runnable> runner = new ConcurrentLinkedQueue<>();
    Runnable[] run = new Runnable[1];
    run[0] = () -> {
      if (inside.incrementAndGet() > 1) {
        overlaps.incrementAndGet();
      }
      seen.accumulateAndGet(asked.get(), Math::max);
      inside.decrementAndGet();
      if (rounds.runAgain()) {
        runner.add(run[0]);
      }
    };
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger finished = new AtomicInteger();
    List<Thread> askers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread asker = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 20_000; i++) {
          asked.incrementAndGet();
          if (rounds.request()) {
            runner.add(run[0]);
          }
        }
        finished.incrementAndGet();
      });
      asker.start();
      askers.add(asker);
    }
    start.countDown();
    while (finished.get() < threads || !runner.isEmpty() || rounds.state() != AsyncCoalescer.State.IDLE) {
      Runnable next = runner.poll();
      if (next != null) {
        next.run();
      } else {
        Thread.onSpinWait();
      }
    }
    for (Thread asker : askers) {
      asker.join();
    }
    assertThat(overlaps.get()).isZero();
    assertThat(seen.get()).isEqualTo(asked.get()).isEqualTo(threads * 20_000L);
  }
}

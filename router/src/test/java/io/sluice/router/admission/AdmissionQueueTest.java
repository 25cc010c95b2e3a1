package io.sluice.router.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.AdmissionMode;
import io.sluice.crd.QueuePolicy;
import io.sluice.crd.QueueSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The queue on a virtual clock: order, aging, starvation bound, limits, expiry, cancellation. */
class AdmissionQueueTest {
  private final VirtualClock clock = new VirtualClock();
  private final List<String> log = new ArrayList<>();

  private AdmissionController controller(QueueSpec queue, long... budgets) {
    AdmissionController controller = new AdmissionController(
        "pool", queue, AdmissionMode.ENFORCE, new MostHeadroom(), AdmissionListener.NONE, clock);
    for (int i = 0; i < budgets.length; i++) {
      controller.addPod("pod-" + i, budgets[i]);
    }
    return controller;
  }

  private static QueueSpec queue(int maxLength, long maxTokens, Duration maxWait, double boost, Duration starvation) {
    return new QueueSpec(maxLength, maxTokens, maxWait, boost, starvation, QueuePolicy.FIFO);
  }

  private static QueueSpec defaults() {
    return queue(100, 1_000_000, Duration.ofSeconds(60), 1.0, Duration.ofSeconds(10));
  }

  private static Reservation admitted(Decision decision) {
    assertThat(decision).isInstanceOf(Decision.Admitted.class);
    return ((Decision.Admitted) decision).reservation();
  }

  private RecordingCallback enqueue(AdmissionController controller, String name, long tokens, int priority) {
    RecordingCallback callback = new RecordingCallback(name, log);
    Decision decision = controller.admit(new AdmissionRequest(tokens, priority, "default", "t"), callback);
    assertThat(decision).isInstanceOf(Decision.Queued.class);
    return callback;
  }

  @Test
  void admitsAtOnceWhileItFitsThenQueues() {
    AdmissionController controller = controller(defaults(), 1000);
    Reservation first = admitted(controller.admit(new AdmissionRequest(600, 0, "default", "t"), null));
    RecordingCallback second = enqueue(controller, "second", 600, 0);
    assertThat(controller.queuedRequests()).isEqualTo(1);
    assertThat(controller.queuedTokens()).isEqualTo(600);
    first.release();
    assertThat(second.reservation).isNotNull();
    assertThat(controller.queuedRequests()).isZero();
    assertThat(controller.reservedTokens()).isEqualTo(600);
  }

  @Test
  void oldestWaitIsTheLongestWaitingRequestsAge() {
    AdmissionController controller = controller(defaults(), 1000);
    assertThat(controller.oldestWaitNanos()).isZero();
    Reservation first = admitted(controller.admit(new AdmissionRequest(1000, 0, "default", "t"), null));
    enqueue(controller, "old", 1000, 0);
    clock.advance(Duration.ofSeconds(3));
    enqueue(controller, "young", 1000, 9);
    clock.advance(Duration.ofSeconds(2));
    assertThat(controller.oldestWaitNanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
    first.release(); // "young" (higher priority) goes first: "old" is still the oldest
    assertThat(log).containsExactly("young");
    assertThat(controller.oldestWaitNanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
  }

  @Test
  void higherPriorityGoesFirstAndEqualsKeepArrivalOrder() {
    AdmissionController controller = controller(queue(100, 1_000_000, Duration.ofSeconds(60), 0.0, Duration.ofHours(1)), 100);
    Reservation blocker = admitted(controller.admit(new AdmissionRequest(100, 0, "default", "t"), null));
    List<RecordingCallback> waiting = List.of(
        enqueue(controller, "low-1", 100, 1),
        enqueue(controller, "high-1", 100, 5),
        enqueue(controller, "low-2", 100, 1),
        enqueue(controller, "high-2", 100, 5));
    Reservation current = blocker;
    for (int i = 0; i < waiting.size(); i++) {
      current.release();
      String admittedName = log.get(log.size() - 1);
      current = waiting.stream().filter(c -> c.name.equals(admittedName)).findFirst().orElseThrow().reservation;
    }
    assertThat(log).containsExactly("high-1", "high-2", "low-1", "low-2");
  }

  @Test
  void aLowRequestOvertakesAHighOneAfterThePriorityGapInSeconds() {
    // boost 1 priority unit per second: a priority-1 request that waited 10 s ranks above a fresh
    // priority-10 request (1 + 10 > 10), while one that waited 5 s does not.
    AdmissionController controller = controller(
        queue(100, 1_000_000, Duration.ofSeconds(600), 1.0, Duration.ofHours(1)), 100);
    Reservation blocker = admitted(controller.admit(new AdmissionRequest(100, 0, "default", "t"), null));
    RecordingCallback low = enqueue(controller, "low", 100, 1);
    clock.advance(Duration.ofSeconds(5));
    RecordingCallback early = enqueue(controller, "high-after-5s", 100, 10);
    clock.advance(Duration.ofSeconds(6));
    RecordingCallback late = enqueue(controller, "high-after-11s", 100, 10);
    blocker.release();
    assertThat(log).containsExactly("high-after-5s");
    early.reservation.release();
    assertThat(log).containsExactly("high-after-5s", "low");
    low.reservation.release();
    assertThat(late.reservation).isNotNull();
  }

  @Test
  void smallRequestsBypassABlockedHeadUntilItStarves() {
    AdmissionController controller = controller(
        queue(100, 1_000_000, Duration.ofSeconds(600), 0.0, Duration.ofSeconds(10)), 1000);
    Reservation a = admitted(controller.admit(new AdmissionRequest(500, 0, "default", "t"), null));
    Reservation b = admitted(controller.admit(new AdmissionRequest(400, 0, "default", "t"), null));
    RecordingCallback big = enqueue(controller, "big", 900, 0);
    RecordingCallback small = enqueue(controller, "small", 50, 0);
    assertThat(small.reservation).as("fits beside the blocked head").isNotNull();
    small.reservation.release();

    clock.advance(Duration.ofSeconds(10)); // the head has now waited the starvation threshold
    RecordingCallback smallLate = enqueue(controller, "small-late", 50, 0);
    assertThat(smallLate.reservation).as("may no longer bypass a starving head").isNull();
    a.release();
    assertThat(big.reservation).as("500 + 50 free is not yet 900").isNull();
    assertThat(smallLate.reservation).as("capacity is held for the head").isNull();
    b.release();
    assertThat(big.reservation).isNotNull();
    big.reservation.release();
    assertThat(smallLate.reservation).isNotNull();
  }

  @Test
  void worstCaseWaitOfALargeRequestUnderAStreamOfSmallOnesIsBounded() {
    // Documented bound (docs/admission.md): once a request heads the queue, it is admitted within
    // starvationThreshold + the time the requests already holding the pod's budget take to finish.
    Duration starvation = Duration.ofSeconds(10);
    Duration requestTime = Duration.ofSeconds(3);
    AdmissionController controller = controller(queue(10_000, 100_000_000, Duration.ofHours(1), 0.0, starvation), 1000);
    List<Reservation> running = new ArrayList<>();
    List<Long> finishAt = new ArrayList<>();
    AdmissionCallback runs = new AdmissionCallback() {
      @Override
      public void admitted(Reservation reservation, long waitedNanos) {
        running.add(reservation);
        finishAt.add(clock.getAsLong() + requestTime.toNanos());
      }

      @Override
      public void expired(long waitedNanos) {
        throw new AssertionError("nothing expires within an hour here");
      }
    };
    RecordingCallback big = new RecordingCallback("big");
    // Every 100 ms a small request arrives and runs 3 s: 30 run at once, 3000 of 1000 tokens wanted,
    // so without the bound small requests would keep the large one out for ever.
    for (int step = 0; step < 1000 && big.reservation == null; step++) {
      Decision decision = controller.admit(new AdmissionRequest(100, 0, "default", "t"), runs);
      if (decision instanceof Decision.Admitted admitted) {
        runs.admitted(admitted.reservation(), 0);
      }
      if (step == 5) {
        assertThat(controller.admit(new AdmissionRequest(1000, 0, "default", "t"), big))
            .isInstanceOf(Decision.Queued.class);
      }
      clock.advance(Duration.ofMillis(100));
      for (int i = running.size() - 1; i >= 0; i--) {
        if (finishAt.get(i) <= clock.getAsLong()) {
          finishAt.remove(i);
          running.remove(i).release(); // may admit queued ones, which join `running`
        }
      }
    }
    assertThat(big.reservation).as("the large request was admitted").isNotNull();
    assertThat(big.waitedNanos).isLessThanOrEqualTo(starvation.plus(requestTime).plusMillis(100).toNanos());
  }

  @Test
  void tokenFairLetsALightTenantPassAFloodingOne() {
    QueueSpec fair = new QueueSpec(100, 1_000_000L, Duration.ofSeconds(600), 1.0, Duration.ofHours(1),
        QueuePolicy.TOKEN_FAIR);
    AdmissionController controller = controller(fair, 1000);
    Reservation blocker = admitted(controller.admit(new AdmissionRequest(1000, 0, "default", "t"), null));
    List<RecordingCallback> flood = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RecordingCallback callback = new RecordingCallback("flood-" + i, log);
      controller.admit(new AdmissionRequest(1000, 0, "default", "flooder"), callback);
      flood.add(callback);
    }
    RecordingCallback light = new RecordingCallback("light", log);
    controller.admit(new AdmissionRequest(1000, 0, "default", "light"), light);
    blocker.release();
    flood.get(0).reservation.release();
    assertThat(log).containsExactly("flood-0", "light");

    // The same arrivals in FIFO order: the light tenant waits behind the whole flood.
    List<String> fifoLog = new ArrayList<>();
    AdmissionController fifo = controller(defaults(), 1000);
    Reservation fifoBlocker = admitted(fifo.admit(new AdmissionRequest(1000, 0, "default", "t"), null));
    for (int i = 0; i < 5; i++) {
      fifo.admit(new AdmissionRequest(1000, 0, "default", "flooder"), new RecordingCallback("flood-" + i, fifoLog));
    }
    fifo.admit(new AdmissionRequest(1000, 0, "default", "light"), new RecordingCallback("light", fifoLog));
    fifoBlocker.release();
    assertThat(fifoLog).containsExactly("flood-0");
  }

  @Test
  void aRequestWaitsForAPodItHasNotTriedWhileOneExists() {
    // issue 21.2: a requeued request went straight back to the pod that refused it whenever the
    // others were full at that instant (the refusing pod, failing at once, had the most room)
    AdmissionController controller = controller(defaults(), 1000, 1000);
    for (int i = 0; i < 10; i++) {
      Reservation elsewhere = admitted(controller.admit(
          new AdmissionRequest(100, 0, "default", "t", null, java.util.Set.of("pod-0")), null));
      assertThat(elsewhere.podId()).isEqualTo("pod-1");
      elsewhere.release();
    }
    Reservation fillsPod1 = admitted(controller.admit(
        new AdmissionRequest(1000, 0, "default", "t", null, java.util.Set.of("pod-0")), null));
    assertThat(fillsPod1.podId()).isEqualTo("pod-1");
    RecordingCallback waits = new RecordingCallback("waits");
    assertThat(controller.admit(new AdmissionRequest(100, 0, "default", "t", null, java.util.Set.of("pod-0")), waits))
        .as("only the pod that refused it has room: it waits for the other").isInstanceOf(Decision.Queued.class);
    fillsPod1.release();
    assertThat(waits.reservation.podId()).isEqualTo("pod-1");
  }

  @Test
  void onceEveryPodWasTriedATriedOneMayTakeItAgain() {
    AdmissionController controller = controller(defaults(), 1000, 1000);
    controller.setEjected("pod-1", true); // the only untried pod is out of rotation
    Reservation again = admitted(controller.admit(
        new AdmissionRequest(100, 0, "default", "t", null, java.util.Set.of("pod-0")), null));
    assertThat(again.podId()).isEqualTo("pod-0");
  }

  @Test
  void fullQueueRefusesWithRetryAfter() {
    AdmissionController controller = controller(queue(2, 1_000, Duration.ofSeconds(60), 1.0, Duration.ofSeconds(10)), 100);
    admitted(controller.admit(new AdmissionRequest(100, 0, "default", "t"), null));
    enqueue(controller, "a", 100, 0);
    enqueue(controller, "b", 100, 0);
    Decision byLength = controller.admit(new AdmissionRequest(100, 0, "default", "t"), new RecordingCallback("c"));
    assertThat(byLength).isInstanceOfSatisfying(Decision.QueueFull.class, full -> {
      assertThat(full.limit()).isEqualTo("maxLength");
      assertThat(full.retryAfterSeconds()).isBetween(1L, 60L);
    });
    AdmissionController tokens = controller(queue(100, 150, Duration.ofSeconds(60), 1.0, Duration.ofSeconds(10)), 100);
    admitted(tokens.admit(new AdmissionRequest(100, 0, "default", "t"), null));
    assertThat(tokens.admit(new AdmissionRequest(100, 0, "default", "t"), new RecordingCallback("x")))
        .isInstanceOf(Decision.Queued.class);
    assertThat(tokens.admit(new AdmissionRequest(100, 0, "default", "t"), new RecordingCallback("y")))
        .isInstanceOfSatisfying(Decision.QueueFull.class, full -> assertThat(full.limit()).isEqualTo("maxQueuedTokens"));
  }

  @Test
  void tooLargeForAnyPodIsRefusedAtOnce() {
    AdmissionController controller = controller(defaults(), 1000, 2000);
    assertThat(controller.admit(new AdmissionRequest(2001, 0, "default", "t"), null))
        .isInstanceOfSatisfying(Decision.TooLarge.class, large -> assertThat(large.largestBudget()).isEqualTo(2000));
    assertThat(controller.queuedRequests()).isZero();
  }

  @Test
  void noPodOrUnknownBudgetMeansNoPods() {
    AdmissionController empty = controller(defaults());
    assertThat(empty.admit(new AdmissionRequest(1, 0, "default", "t"), null)).isInstanceOf(Decision.NoPods.class);
    AdmissionController unknown = controller(defaults(), 0);
    assertThat(unknown.admit(new AdmissionRequest(1, 0, "default", "t"), null)).isInstanceOf(Decision.NoPods.class);
    unknown.setBudget("pod-0", 100);
    admitted(unknown.admit(new AdmissionRequest(1, 0, "default", "t"), null));
  }

  @Test
  void waitersPastMaxWaitExpireOnTheTick() {
    AdmissionController controller = controller(queue(100, 1_000_000, Duration.ofSeconds(30), 1.0, Duration.ofSeconds(10)), 100);
    admitted(controller.admit(new AdmissionRequest(100, 0, "default", "t"), null));
    RecordingCallback old = enqueue(controller, "old", 100, 0);
    clock.advance(Duration.ofSeconds(20));
    RecordingCallback young = enqueue(controller, "young", 100, 0);
    clock.advance(Duration.ofSeconds(10));
    controller.tick();
    assertThat(old.expired).isTrue();
    assertThat(old.waitedNanos).isEqualTo(Duration.ofSeconds(30).toNanos());
    assertThat(young.expired).isFalse();
    assertThat(controller.queuedRequests()).isEqualTo(1);
    assertThat(controller.queuedTokens()).isEqualTo(100);
  }

  @Test
  void cancelledWaitersLeaveAtOnceAndNeverHearBack() {
    AdmissionController controller = controller(defaults(), 100);
    Reservation blocker = admitted(controller.admit(new AdmissionRequest(100, 0, "default", "t"), null));
    RecordingCallback gone = new RecordingCallback("gone", log);
    Decision.Queued queued = (Decision.Queued) controller.admit(new AdmissionRequest(100, 0, "default", "t"), gone);
    RecordingCallback next = enqueue(controller, "next", 100, 0);
    assertThat(queued.waiter().cancel()).isTrue();
    assertThat(queued.waiter().cancel()).isFalse();
    assertThat(controller.queuedRequests()).isEqualTo(1);
    assertThat(controller.queued("default").tokens()).isEqualTo(100);
    blocker.release();
    assertThat(log).containsExactly("next");
    assertThat(gone.reservation).isNull();
    next.reservation.release();
    assertThat(controller.reservedTokens()).isZero();
  }

  @Test
  void budgetGrowthAndNewPodsWakeTheQueue() {
    AdmissionController controller = controller(defaults(), 100);
    admitted(controller.admit(new AdmissionRequest(100, 0, "default", "t"), null));
    RecordingCallback a = enqueue(controller, "a", 100, 0);
    RecordingCallback b = enqueue(controller, "b", 100, 0);
    controller.setBudget("pod-0", 200);
    assertThat(a.reservation).isNotNull();
    controller.addPod("pod-1", 100);
    assertThat(b.reservation).isNotNull();
    assertThat(b.reservation.podId()).isEqualTo("pod-1");
  }

  @Test
  void removedPodTakesNothingNewButItsReservationsStillRelease() {
    AdmissionController controller = controller(defaults(), 100, 100);
    Reservation onPod0 = admitted(controller.admit(new AdmissionRequest(80, 0, "default", "t"), null));
    String pod = onPod0.podId();
    controller.removePod(pod);
    Reservation other = admitted(controller.admit(new AdmissionRequest(80, 0, "default", "t"), null));
    assertThat(other.podId()).isNotEqualTo(pod);
    onPod0.release();
    other.release();
    assertThat(controller.reservedTokens()).isZero();
    assertThat(controller.inFlight()).isZero();
  }

  @Test
  void aPodBackBeforeItsRequestsEndedStillCountsWhatTheyHold() {
    AdmissionController controller = controller(defaults(), 100);
    Reservation held = admitted(controller.admit(new AdmissionRequest(80, 0, "default", "t"), null));
    controller.removePod("pod-0");
    controller.addPod("pod-0", 100); // e.g. a config reload that dropped and restored it
    RecordingCallback waiting = enqueue(controller, "w", 50, 0); // 80 + 50 > 100: it must wait
    assertThat(waiting.reservation).isNull();
    held.release();
    assertThat(waiting.reservation).isNotNull();
    assertThat(waiting.reservation.podId()).isEqualTo("pod-0");
    waiting.reservation.release();
    assertThat(controller.reservedTokens()).isZero();
    assertThat(controller.inFlight()).isZero();
  }

  @Test
  void aPodBackAfterItsRequestsEndedStartsAfresh() {
    AdmissionController controller = controller(defaults(), 100);
    admitted(controller.admit(new AdmissionRequest(80, 0, "default", "t"), null)).release();
    controller.removePod("pod-0");
    controller.addPod("pod-0", 100);
    Reservation whole = admitted(controller.admit(new AdmissionRequest(100, 0, "default", "t"), null));
    assertThat(whole.podId()).isEqualTo("pod-0");
    whole.release();
    assertThat(controller.reservedTokens()).isZero();
  }

  @Test
  void observeModeNeverQueuesButKeepsTheBooks() {
    AdmissionController controller = new AdmissionController("pool", defaults(), AdmissionMode.OBSERVE,
        new MostHeadroom(), AdmissionListener.NONE, clock);
    controller.addPod("pod-0", 100);
    Reservation a = admitted(controller.admit(new AdmissionRequest(80, 0, "default", "t"), null));
    Reservation b = admitted(controller.admit(new AdmissionRequest(80, 0, "default", "t"), null));
    assertThat(controller.reservedTokens()).isEqualTo(160);
    assertThat(controller.queuedRequests()).isZero();
    a.release();
    b.release();
    assertThat(controller.reservedTokens()).isZero();
  }
}

package io.sluice.router.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.AdmissionMode;
import io.sluice.crd.QueuePolicy;
import io.sluice.crd.QueueSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A pod back from an ejection is on probation: one request in flight at a time (its probe), the
 * others go to other pods or wait, and nothing is lost or double-counted on the way.
 */
class ProbationTest {
  private final VirtualClock clock = new VirtualClock();

  private AdmissionController controller(long... budgets) {
    AdmissionController controller = new AdmissionController("pool",
        new QueueSpec(100, 1_000_000L, Duration.ofSeconds(60), 0.0, Duration.ofHours(1), QueuePolicy.FIFO),
        AdmissionMode.ENFORCE, new MostHeadroom(), AdmissionListener.NONE, clock);
    for (int i = 0; i < budgets.length; i++) {
      controller.addPod("pod-" + i, budgets[i]);
    }
    return controller;
  }

  private static AdmissionRequest request(long tokens) {
    return new AdmissionRequest(tokens, 0, "default", "t");
  }

  @Test
  void onProbationAPodTakesOneRequestAndTheRestWaitUntilItEnds() {
    AdmissionController controller = controller(10_000);
    controller.setProbation("pod-0", true);
    Reservation probe = ((Decision.Admitted) controller.admit(request(100), null)).reservation();
    RecordingCallback next = new RecordingCallback("next");
    assertThat(controller.admit(request(100), next)).as("room, but the probe is in flight")
        .isInstanceOf(Decision.Queued.class);
    assertThat(controller.pods().get(0).inFlight()).isEqualTo(1);

    probe.release(); // the probe ended without a verdict (say its client left): the next one probes
    assertThat(next.reservation).isNotNull();
    assertThat(controller.pods().get(0).inFlight()).isEqualTo(1);

    RecordingCallback third = new RecordingCallback("third");
    controller.admit(request(100), third);
    controller.setProbation("pod-0", false); // the probe answered well: back to full service
    assertThat(third.reservation).as("dispatched when the probation ended").isNotNull();
    next.reservation.release();
    third.reservation.release();
    assertThat(controller.reservedTokens()).isZero();
  }

  @Test
  void otherPodsTakeWhatTheProbationPodCannot() {
    AdmissionController controller = controller(10_000, 1_000);
    controller.setProbation("pod-0", true);
    // pod-0 has the most room, so it takes the first request, its probe; then pod-1 takes the rest.
    Reservation probe = ((Decision.Admitted) controller.admit(request(100), null)).reservation();
    assertThat(probe.podId()).isEqualTo("pod-0");
    Reservation second = ((Decision.Admitted) controller.admit(request(100), null)).reservation();
    assertThat(second.podId()).isEqualTo("pod-1");
    probe.release();
    second.release();
    assertThat(controller.reservedTokens()).isZero();
  }

  /** Many threads at once: still never two reservations in flight on the probation pod, and every token returns. */
  @Test
  void racingReservationsNeverPutTwoOnAPodOnProbation() throws Exception {
    AdmissionController controller = controller(1_000_000);
    controller.setProbation("pod-0", true);
    PodBudget pod = controller.pods().get(0);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    // Reservations held at once, counted by the test itself (the pod's own count moves for a moment
    // when a racing reservation backs out).
    java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
    ConcurrentLinkedQueue<Integer> seenHeld = new ConcurrentLinkedQueue<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 5_000; i++) {
          pod.tryReserve(10, 5).ifPresent(reservation -> {
            seenHeld.add(held.incrementAndGet());
            held.decrementAndGet();
            reservation.release();
          });
        }
      });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    assertThat(seenHeld).isNotEmpty().allMatch(n -> n == 1);
    assertThat(pod.reserved()).isZero();
    assertThat(pod.inFlight()).isZero();
    assertThat(pod.pendingPrefill()).isZero();
    assertThat(controller.reservedTokens()).isZero();
  }
}

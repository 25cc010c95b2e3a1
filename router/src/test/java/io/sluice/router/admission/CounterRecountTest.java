package io.sluice.router.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.AdmissionMode;
import io.sluice.crd.MissAction;
import io.sluice.crd.QueuePolicy;
import io.sluice.crd.QueueSpec;
import io.sluice.crd.ServiceObjective;
import io.sluice.crd.Shedding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random operations; after each one every incrementally kept counter is compared with a full
 * recount of the live reservations and queue entries.
 */
class CounterRecountTest {

  private record Queued(Waiter waiter, AdmissionRequest request) {}

  private static final ServiceObjective REFUSING =
      new ServiceObjective(Duration.ofSeconds(3), null, MissAction.REJECT, Shedding.GOODPUT);

  @Test
  void incrementalCountersEqualARecountAfterEveryOperation() {
    VirtualClock clock = new VirtualClock();
    QueueSpec queue = new QueueSpec(50, 200_000L, Duration.ofSeconds(20), 2.0, Duration.ofSeconds(5), QueuePolicy.FIFO);
    AdmissionController controller = new AdmissionController(
        "pool", queue, AdmissionMode.ENFORCE, new MostHeadroom(), AdmissionListener.NONE, clock);
    controller.addPod("a", 8_000);
    controller.addPod("b", 5_000);
    List<Reservation> live = new ArrayList<>();
    Set<Reservation> prefilled = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    Map<Reservation, Long> prompts = new java.util.IdentityHashMap<>();
    List<Queued> waiting = new ArrayList<>();
    AdmissionCallback callback = new AdmissionCallback() {
      @Override
      public void admitted(Reservation reservation, long waitedNanos) {
        live.add(reservation);
      }

      @Override
      public void expired(long waitedNanos) {}
    };
    SplittableRandom random = new SplittableRandom(7);
    for (int op = 0; op < 20_000; op++) {
      int choice = random.nextInt(12);
      if (choice < 5) {
        // A third of the requests carry an objective that refuses predicted misses: a refusal must
        // leave no trace in any counter.
        ServiceObjective objective = random.nextInt(3) == 0 ? REFUSING : null;
        long tokens = 16 + random.nextInt(4000);
        AdmissionRequest request = new AdmissionRequest(tokens, random.nextInt(3),
            "class-" + random.nextInt(3), "t", null, Set.of(), objective, tokens / 2);
        Decision decision = controller.admit(request, callback);
        if (decision instanceof Decision.Admitted admitted) {
          live.add(admitted.reservation());
        } else if (decision instanceof Decision.Queued q) {
          waiting.add(new Queued(q.waiter(), request));
        }
      } else if (choice < 8 && !live.isEmpty()) {
        live.remove(random.nextInt(live.size())).release();
      } else if (choice < 9 && !live.isEmpty()) {
        Reservation some = live.get(random.nextInt(live.size()));
        if (random.nextBoolean()) {
          some.grow(16);
        } else {
          some.firstToken(); // its prompt leaves the pod's pending prefill, once however often told
          prefilled.add(some);
        }
      } else if (choice < 10 && !waiting.isEmpty()) {
        waiting.get(random.nextInt(waiting.size())).waiter().cancel();
      } else if (choice < 11) {
        clock.advance(Duration.ofMillis(random.nextInt(3000)));
        controller.tick();
      } else {
        controller.setBudget(random.nextBoolean() ? "a" : "b", 4_000 + random.nextInt(6_000));
      }
      waiting.removeIf(q -> !q.waiter().waiting());
      for (Reservation reservation : live) {
        // Every request's prompt is half its reservation, and a reservation is seen here before it grows.
        prompts.computeIfAbsent(reservation, r -> prefilled.contains(r) ? 0L : r.tokens() / 2);
      }
      assertRecount(controller, live, waiting);
      for (PodBudget pod : controller.pods()) {
        assertThat(pod.pendingPrefill()).isEqualTo(live.stream()
            .filter(r -> r.podId().equals(pod.podId()) && !prefilled.contains(r)).mapToLong(prompts::get).sum());
      }
    }
  }

  private static void assertRecount(AdmissionController controller, List<Reservation> live, List<Queued> waiting) {
    long reserved = live.stream().mapToLong(Reservation::tokens).sum();
    assertThat(controller.reservedTokens()).isEqualTo(reserved);
    assertThat(controller.inFlight()).isEqualTo(live.size());
    for (PodBudget pod : controller.pods()) {
      assertThat(pod.reserved()).isEqualTo(
          live.stream().filter(r -> r.podId().equals(pod.podId())).mapToLong(Reservation::tokens).sum());
    }
    assertThat(controller.queuedRequests()).isEqualTo(waiting.size());
    assertThat(controller.queuedTokens()).isEqualTo(waiting.stream().mapToLong(q -> q.request().tokens()).sum());
    Map<String, Long> tokensByClass = new HashMap<>();
    waiting.forEach(q -> tokensByClass.merge(q.request().trafficClass(), q.request().tokens(), Long::sum));
    for (int c = 0; c < 3; c++) {
      String name = "class-" + c;
      assertThat(controller.queued(name).tokens()).isEqualTo(tokensByClass.getOrDefault(name, 0L));
    }
    Map<Integer, Long> tokensByPriority = new HashMap<>();
    waiting.forEach(q -> tokensByPriority.merge(q.request().priority(), q.request().tokens(), Long::sum));
    tokensByPriority.values().removeIf(tokens -> tokens == 0);
    assertThat(controller.queuedTokensByPriority()).isEqualTo(tokensByPriority);
  }
}

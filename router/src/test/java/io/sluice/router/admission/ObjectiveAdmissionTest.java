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
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Service objectives at admission, on a virtual clock: the predicted queue wait (work ahead in
 * serving order, less what is free, at the measured drain rate), refusal at arrival of a predicted
 * miss with {@code onMiss: reject}, counting it with {@code serve}, and the two shedding orders.
 */
class ObjectiveAdmissionTest {
  private static final ServiceObjective TWO_SECONDS = objective(MissAction.REJECT, Shedding.GOODPUT);

  private final VirtualClock clock = new VirtualClock();
  private final List<Outcome> outcomes = new ArrayList<>();
  private final AdmissionController controller = new AdmissionController("pool",
      new QueueSpec(100, 1_000_000L, Duration.ofSeconds(60), 0.0, Duration.ofHours(1), QueuePolicy.FIFO),
      AdmissionMode.ENFORCE, new MostHeadroom(), new AdmissionListener() {
        @Override
        public void outcome(String trafficClass, Outcome outcome) {
          outcomes.add(outcome);
        }
      }, clock);

  private static ServiceObjective objective(MissAction onMiss, Shedding shedding) {
    return new ServiceObjective(Duration.ofSeconds(2), Duration.ofMillis(100), onMiss, shedding);
  }

  private static AdmissionRequest request(long tokens, int priority, ServiceObjective objective) {
    return new AdmissionRequest(tokens, priority, "interactive", "t", null, Set.of(), objective, tokens / 2);
  }

  /** One pod of 4,000 tokens, drained at 1,000 tokens/s, then held full by one request. */
  private Reservation fullPodDrainingAtAThousandTokensPerSecond() {
    controller.addPod("pod-0", 4000);
    Reservation warmup = ((Decision.Admitted) controller.admit(request(1000, 0, null), null)).reservation();
    clock.advance(Duration.ofSeconds(1));
    warmup.release(); // 1,000 tokens ended after 1 s: the drain rate is now 1,000 tokens/s
    return ((Decision.Admitted) controller.admit(request(4000, 0, null), null)).reservation();
  }

  private Decision.Queued queue(long tokens, int priority, ServiceObjective objective) {
    Decision decision = controller.admit(request(tokens, priority, objective), new RecordingCallback("w"));
    assertThat(decision).isInstanceOf(Decision.Queued.class);
    return (Decision.Queued) decision;
  }

  @Test
  void thePredictedWaitIsTheWorkAheadInServingOrderAtTheDrainRate() {
    fullPodDrainingAtAThousandTokensPerSecond();
    // Nothing free, nothing ahead: its own 600 tokens must drain first.
    assertThat(queue(600, 5, TWO_SECONDS).predictedWaitNanos()).isEqualTo(600_000_000L);
    // 600 ahead at priority 5, plus its own 500.
    assertThat(queue(500, 5, TWO_SECONDS).predictedWaitNanos()).isEqualTo(1_100_000_000L);
    // A lower priority waits behind both: 1,100 ahead plus 300.
    assertThat(queue(300, 1, TWO_SECONDS).predictedWaitNanos()).isEqualTo(1_400_000_000L);
    // A higher priority is served before all three: only its own 200.
    assertThat(queue(200, 9, TWO_SECONDS).predictedWaitNanos()).isEqualTo(200_000_000L);
  }

  @Test
  void aPredictedMissIsRefusedAtArrivalWithARetryAfterFromThePrediction() {
    Reservation blocker = fullPodDrainingAtAThousandTokensPerSecond();
    queue(1500, 0, TWO_SECONDS); // predicted 1.5 s: within the objective
    Decision late = controller.admit(request(700, 0, TWO_SECONDS), new RecordingCallback("late"));
    // 1,500 ahead + 700 = 2.2 s > 2 s: refused now, not after it has waited.
    assertThat(late).isEqualTo(new Decision.Unattainable(2_200_000_000L, 3));
    assertThat(outcomes).endsWith(Outcome.REJECTED_SLO);
    assertThat(controller.queuedRequests()).isEqualTo(1);
    assertThat(controller.queuedTokens()).isEqualTo(1500);
    // Once capacity is free, the same request fits at once and is not judged by a wait at all.
    blocker.release();
    assertThat(controller.admit(request(700, 0, TWO_SECONDS), null)).isInstanceOf(Decision.Admitted.class);
  }

  @Test
  void withOnMissServeAPredictedMissIsQueuedAndCounted() {
    fullPodDrainingAtAThousandTokensPerSecond();
    ServiceObjective batch = objective(MissAction.SERVE, Shedding.GOODPUT);
    Decision.Queued queued = queue(2500, 0, batch);
    assertThat(queued.predictedWaitNanos()).isEqualTo(2_500_000_000L);
    assertThat(outcomes).endsWith(Outcome.WOULD_MISS, Outcome.QUEUED);
  }

  @Test
  void nothingIsRefusedBeforeTheDrainRateIsKnown() {
    controller.addPod("pod-0", 1000);
    controller.admit(request(1000, 0, null), null); // full, and nothing has ended yet
    clock.advance(Duration.ofSeconds(5));
    Decision.Queued queued = queue(1000, 0, TWO_SECONDS);
    assertThat(queued.predictedWaitNanos()).isZero();
    assertThat(queue(1000, 0, TWO_SECONDS).predictedWaitNanos()).isZero();
  }

  @Test
  void goodputSheddingRefusesTheLargeRequestWhereSizeNeutralJudgesItByTheMeanSize() {
    fullPodDrainingAtAThousandTokensPerSecond(); // one release of 1,000: the mean released size is 1,000
    queue(900, 0, TWO_SECONDS);
    // 900 ahead: a 1,200-token request would wait 2.1 s by its own size, 1.9 s at the mean size.
    Decision goodput = controller.admit(request(1200, 0, TWO_SECONDS), new RecordingCallback("g"));
    assertThat(goodput).isInstanceOf(Decision.Unattainable.class);
    Decision neutral = controller.admit(request(1200, 0, objective(MissAction.REJECT, Shedding.SIZE_NEUTRAL)),
        new RecordingCallback("n"));
    assertThat(neutral).isInstanceOf(Decision.Queued.class);
    assertThat(((Decision.Queued) neutral).predictedWaitNanos()).isEqualTo(1_900_000_000L);
  }

  @Test
  void thePerPriorityCountersReturnToZeroAsWaitersLeave() {
    Reservation blocker = fullPodDrainingAtAThousandTokensPerSecond();
    queue(400, 3, TWO_SECONDS);
    queue(400, 7, TWO_SECONDS);
    assertThat(controller.queuedTokensByPriority()).containsOnlyKeys(3, 7);
    blocker.release(); // both fit now: the queue empties
    assertThat(controller.queuedRequests()).isZero();
    assertThat(controller.queuedTokensByPriority()).isEmpty();
    assertThat(controller.admit(request(3200, 0, null), null)).isInstanceOf(Decision.Admitted.class); // full again
    // Nothing left ahead of anyone: a new waiter's predicted wait is its own size only.
    assertThat(queue(500, 0, TWO_SECONDS).predictedWaitNanos()).isEqualTo(500_000_000L);
  }

  @Test
  void aPodsPrefillRateIsLearnedFromFirstTokensAndAddsItsPendingPrefillToThePrediction() {
    Reservation blocker = fullPodDrainingAtAThousandTokensPerSecond(); // holds 4,000, prompt 2,000 pending
    PodBudget pod = controller.pods().get(0);
    assertThat(pod.pendingPrefill()).isEqualTo(2000);
    assertThat(pod.prefillTokensPerSecond()).as("no first token seen yet").isZero();
    clock.advance(Duration.ofMillis(500));
    blocker.firstToken(); // 2,000 prompt tokens (nothing ahead) prefilled in 0.5 s: 4,000 tokens/s
    assertThat(pod.pendingPrefill()).isZero();
    assertThat(pod.prefillTokensPerSecond()).isEqualTo(4000.0);
    blocker.firstToken(); // once only
    assertThat(pod.pendingPrefill()).isZero();
    // A 600-token request (prompt 300) now waits 0.6 s for the budget, then 300 / 4,000 s for its prefill.
    assertThat(queue(600, 0, TWO_SECONDS).predictedWaitNanos()).isEqualTo(600_000_000L + 75_000_000L);
  }

  @Test
  void sizeNeutralSheddingAlsoJudgesThePrefillByTheMeanPrompt() {
    Reservation blocker = fullPodDrainingAtAThousandTokensPerSecond();
    clock.advance(Duration.ofMillis(500));
    blocker.firstToken(); // 4,000 prompt tokens/s
    ServiceObjective neutral = objective(MissAction.REJECT, Shedding.SIZE_NEUTRAL);
    // The first arrival has no mean prompt to go by: its own (100) at 4,000/s, after the mean
    // released size (1,000) at 1,000/s.
    assertThat(queue(200, 0, neutral).predictedWaitNanos()).isEqualTo(1_000_000_000L + 25_000_000L);
    // Now the mean prompt is 100: a 1,200-token request (prompt 600) is judged as 200 ahead plus
    // the mean size, and a prefill of the mean prompt; by its own size it would be 1.4 s + 150 ms.
    assertThat(queue(1200, 0, neutral).predictedWaitNanos()).isEqualTo(1_200_000_000L + 25_000_000L);
    assertThat(queue(1200, 0, objective(MissAction.SERVE, Shedding.GOODPUT)).predictedWaitNanos())
        .isEqualTo(2_600_000_000L + 150_000_000L);
  }

  @Test
  void aReleaseOrAPlainAnswerEndsThePrefillWithoutTeachingTheRate() {
    controller.addPod("pod-0", 4000);
    clock.advance(Duration.ofSeconds(3));
    Reservation plain = ((Decision.Admitted) controller.admit(request(1000, 0, null), null)).reservation();
    Reservation failed = ((Decision.Admitted) controller.admit(request(1000, 0, null), null)).reservation();
    PodBudget pod = controller.pods().get(0);
    assertThat(pod.pendingPrefill()).isEqualTo(1000);
    clock.advance(Duration.ofSeconds(2));
    plain.prefillEnded(); // a plain answer began: its first token came at some unknown point before
    failed.release(); // ended before any token
    assertThat(pod.pendingPrefill()).isZero();
    assertThat(pod.prefillTokensPerSecond()).isZero();
  }
}

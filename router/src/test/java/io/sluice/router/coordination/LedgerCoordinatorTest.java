package io.sluice.router.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.admission.AdmissionCallback;
import io.sluice.router.admission.AdmissionListener;
import io.sluice.router.admission.AdmissionRequest;
import io.sluice.router.admission.Decision;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.admission.Reservation;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.config.PoolConfig;
import io.sluice.router.config.Profiles;
import io.sluice.router.estimate.ApproximateCounter;
import io.sluice.router.estimate.OutputPredictor;
import io.sluice.router.estimate.ReservationPolicy;
import io.sluice.router.estimate.TokenEstimator;
import io.sluice.router.pool.Pod;
import io.sluice.router.pool.Pool;
import io.sluice.router.runtime.PoolRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The coordinator on a virtual clock and a manual scheduler, against an in-memory ledger: rounds,
 * renewals, retries, timeouts, the grace and the fallback, with no sleep and no Redis. A pool of two
 * pods of 1000 tokens; a TTL of 900 ms (renewal every 300 ms, grace 450 ms, retry after 20 ms); a
 * call timeout of 300 ms; four replicas to fall back to.
 */
class LedgerCoordinatorTest {
  private static final String ME = "me";
  private final ManualScheduler scheduler = new ManualScheduler();
  private final FakeLedger ledger = new FakeLedger();
  private final List<String> failedPools = new ArrayList<>();
  private LedgerCoordinator coordinator;
  private PoolRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    coordinator = new LedgerCoordinator(ledger, ME, Duration.ofMillis(300), Duration.ofMillis(900), 4,
        (pool, cause) -> failedPools.add(pool), scheduler.clock(), scheduler);
    runtime = pool();
  }

  @AfterEach
  void nothingThrewOnTheScheduler() {
    assertThat(scheduler.thrown()).isEmpty();
  }

  private PoolRuntime pool() throws Exception {
    String yaml = """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: shared}
        spec:
          models: [m]
          endpoints: ["http://127.0.0.1:1", "http://127.0.0.1:2"]
          engine: generic
          budget: {tokensPerPod: 1000, coordination: redis}
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          redis: {address: "redis://127.0.0.1:1"}
        """; // the address only satisfies validation: the ledger here is in memory
    ConfigLoader.Result parsed = ConfigLoader.parse(yaml, "shared.yaml");
    assertThat(parsed.problems()).isEmpty();
    PoolConfig config = parsed.config().pools().get(0);
    Pool pool = new Pool(config.name(), config.spec(), config.spec().endpoints().stream().map(Pod::fromUrl).toList());
    TokenEstimator estimator = new TokenEstimator(new ApproximateCounter(576), 576,
        new OutputPredictor(new OutputPredictor.Settings(0.9, 256, 100, 60, 20, 50, 100)),
        new ReservationPolicy(1.0, 64, 1 << 20, 16), Runnable::run, reason -> { });
    return new PoolRuntime(pool, ConfigLoader.plugins().build(Profiles.of(config.spec().scoring())),
        AdmissionListener.NONE, estimator, scheduler.clock());
  }

  private List<PodBudget> pods() {
    return runtime.admission().pods();
  }

  private List<Long> budgets() {
    return pods().stream().map(PodBudget::budget).toList();
  }

  private Reservation reserve(long tokens) {
    Decision decision = runtime.admission().admit(new AdmissionRequest(tokens, 0, "default", "t"),
        new AdmissionCallback() {
          @Override
          public void admitted(Reservation reservation, long waitedNanos) {
          }

          @Override
          public void expired(long waitedNanos) {
          }
        });
    assertThat(decision).isInstanceOf(Decision.Admitted.class);
    return ((Decision.Admitted) decision).reservation();
  }

  private FakeLedger.Call lastCall(String pod) {
    List<FakeLedger.Call> calls = ledger.calls().stream().filter(c -> c.pod().equals(pod)).toList();
    return calls.get(calls.size() - 1);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  @Test
  void theFirstRoundGrantsEachPodAnEighthAsHeadroom() {
    coordinator.track(runtime);
    scheduler.runDue();
    assertThat(budgets()).containsExactly(125L, 125L);
    assertThat(runtime.coordination()).isEqualTo(PoolRuntime.Coordination.SHARED);
    pods().forEach(pod -> assertThat(ledger.share(pod.podId(), ME)).isEqualTo(125));
    assertThat(coordinator.errors()).isZero();
  }

  @Test
  void sharesAreRenewedEveryThirdOfTheTtl() {
    coordinator.track(runtime);
    scheduler.runDue();
    assertThat(ledger.calls()).hasSize(2);
    scheduler.advance(ms(299));
    assertThat(ledger.calls()).hasSize(2);
    scheduler.advance(ms(1));
    assertThat(ledger.calls()).hasSize(4);
    scheduler.advance(ms(300));
    assertThat(ledger.calls()).hasSize(6);
  }

  @Test
  void asksDuringARoundMakeExactlyOneMoreRound() {
    coordinator.track(runtime);
    coordinator.track(runtime); // same runtime: asks for a round again
    coordinator.track(runtime);
    scheduler.runDue();
    assertThat(ledger.calls()).hasSize(4); // two rounds over two pods
  }

  @Test
  void aFailedRenewalKeepsTheShareForHalfATtlThenFallsBack() {
    coordinator.track(runtime);
    scheduler.runDue();
    ledger.mode(FakeLedger.Mode.FAIL);
    scheduler.advance(ms(300)); // 300 ms after the last answer: the ledger still records the share
    assertThat(coordinator.errors()).isEqualTo(2);
    assertThat(failedPools).containsExactly("shared", "shared");
    assertThat(budgets()).containsExactly(125L, 125L);
    assertThat(runtime.coordination()).isEqualTo(PoolRuntime.Coordination.SHARED);
    scheduler.advance(ms(300)); // 600 ms: past the grace, the share may have lapsed
    assertThat(coordinator.errors()).isEqualTo(4);
    assertThat(budgets()).containsExactly(250L, 250L); // 1000 / fallbackReplicas
    assertThat(runtime.coordination()).isEqualTo(PoolRuntime.Coordination.FALLBACK);
  }

  @Test
  void theFallbackDividesByTheLiveReplicasOnceKnown() {
    ledger.mode(FakeLedger.Mode.FAIL);
    coordinator.track(runtime);
    scheduler.runDue();
    assertThat(budgets()).containsExactly(250L, 250L);
    coordinator.setLiveReplicas(2);
    scheduler.advance(ms(300));
    assertThat(budgets()).containsExactly(500L, 500L);
    assertThat(runtime.coordination()).isEqualTo(PoolRuntime.Coordination.FALLBACK);
  }

  @Test
  void aLedgerThatDoesNotAnswerTimesOutOnTheSchedulersClock() {
    ledger.mode(FakeLedger.Mode.SILENT);
    coordinator.track(runtime);
    scheduler.runDue();
    scheduler.advance(ms(299));
    assertThat(coordinator.errors()).isZero();
    assertThat(budgets()).containsExactly(0L, 0L); // nothing is backed by the ledger yet
    scheduler.advance(ms(1));
    assertThat(coordinator.errors()).isEqualTo(2);
    assertThat(runtime.coordination()).isEqualTo(PoolRuntime.Coordination.FALLBACK);
  }

  /**
   * A ledger that times out (a partition) rather than failing fast: the next round starts at once,
   * so a fallback share taken away before each call would leave the replica with 0 for the whole
   * outage. It keeps the fallback share while it asks.
   */
  @Test
  void whileTheLedgerTimesOutTheFallbackShareStaysWhileTheNextCallIsOut() {
    ledger.mode(FakeLedger.Mode.SILENT);
    coordinator.track(runtime);
    scheduler.advance(ms(300)); // the first calls time out; the fallback share is set; round 2 starts
    assertThat(coordinator.errors()).isEqualTo(2);
    assertThat(budgets()).containsExactly(250L, 250L);
    ledger.mode(FakeLedger.Mode.FAIL); // round 2's calls still time out; round 3's (asked meanwhile) fail fast
    scheduler.advance(ms(300));
    assertThat(coordinator.errors()).isEqualTo(6);
    assertThat(budgets()).containsExactly(250L, 250L); // fast failures leave the fallback share in place
  }

  @Test
  void onRecoveryTheLedgerKeepsOnlyWhatIsReservedAndItsGrantReplacesTheFallbackShare() {
    ledger.mode(FakeLedger.Mode.FAIL);
    coordinator.track(runtime);
    scheduler.runDue();
    Reservation during = reserve(200); // admitted within the fallback share, never recorded
    String busy = during.podId();
    String idle = pods().stream().map(PodBudget::podId).filter(id -> !id.equals(busy)).findFirst().orElseThrow();
    ledger.mode(FakeLedger.Mode.ANSWER);
    scheduler.advance(ms(300));
    // The fallback share was never recorded: the ledger is asked to keep only what is reserved.
    assertThat(lastCall(idle)).isEqualTo(new FakeLedger.Call(idle, ME, 125, 0, 0, 1000));
    assertThat(lastCall(busy)).isEqualTo(new FakeLedger.Call(busy, ME, 325, 200, 0, 1000));
    assertThat(runtime.admission().pod(idle).orElseThrow().budget()).isEqualTo(125);
    assertThat(runtime.admission().pod(busy).orElseThrow().budget()).isEqualTo(325);
    assertThat(runtime.coordination()).isEqualTo(PoolRuntime.Coordination.SHARED);
    during.release();
  }

  /** A round that throws (a bug) used to leave the pool's coalescer RUNNING: no rounds ever again. */
  @Test
  void aRoundThatThrowsIsRetriedAfterTheRetryDelay() {
    ledger.mode(FakeLedger.Mode.THROW);
    coordinator.track(runtime);
    scheduler.runDue();
    ledger.mode(FakeLedger.Mode.ANSWER);
    scheduler.advance(ms(20));
    assertThat(runtime.coordination()).isEqualTo(PoolRuntime.Coordination.SHARED);
    assertThat(budgets()).allSatisfy(budget -> assertThat(budget).isPositive());
  }

  @Test
  void aReplicaGrantedLessThanItWantsAsksAgainAfterTwentyMilliseconds() {
    pods().forEach(pod -> ledger.other(pod.podId(), "them", 950, 0));
    coordinator.track(runtime);
    scheduler.runDue();
    assertThat(budgets()).containsExactly(50L, 50L);
    assertThat(ledger.calls()).hasSize(2);
    scheduler.advance(ms(19));
    assertThat(ledger.calls()).hasSize(2);
    scheduler.advance(ms(1));
    assertThat(ledger.calls()).hasSize(4);
  }

  @Test
  void whileOthersWaitTheShareShrinksToWhatIsReserved() {
    pods().forEach(pod -> ledger.other(pod.podId(), "them", 0, 300));
    coordinator.track(runtime);
    scheduler.runDue(); // nobody was known to wait: headroom; the answer says others wait
    assertThat(budgets()).containsExactly(125L, 125L);
    Reservation held = reserve(100);
    scheduler.advance(ms(300));
    for (PodBudget pod : pods()) {
      long expected = pod.podId().equals(held.podId()) ? 100 : 0;
      assertThat(pod.budget()).isEqualTo(expected);
      assertThat(ledger.share(pod.podId(), ME)).isEqualTo(expected);
    }
    held.release();
  }

  @Test
  void anUntrackedPoolKeepsWhatIsReservedRecordedThenLeavesTheLedger() {
    coordinator.track(runtime);
    scheduler.runDue();
    Reservation held = reserve(100);
    String other = pods().stream().map(PodBudget::podId).filter(id -> !id.equals(held.podId())).findFirst()
        .orElseThrow();
    coordinator.untrack("shared");
    scheduler.runDue();
    assertThat(ledger.share(held.podId(), ME)).isEqualTo(100);
    assertThat(ledger.records(other, ME)).isFalse();
    held.release();
    scheduler.advance(ms(300));
    assertThat(ledger.records(held.podId(), ME)).isFalse();
    assertThat(runtime.coordination()).isEqualTo(PoolRuntime.Coordination.NONE);
    int calls = ledger.calls().size();
    scheduler.advance(ms(900));
    assertThat(ledger.calls()).hasSize(calls); // no longer renewed
  }

  @Test
  void closeDropsThisReplicasSharesAndStopsTheScheduler() throws Exception {
    coordinator.track(runtime);
    scheduler.runDue();
    Thread closer = new Thread(coordinator::close); // close waits for the drops, which run on the scheduler
    closer.start();
    while (closer.isAlive()) {
      scheduler.runDue();
      Thread.onSpinWait();
    }
    pods().forEach(pod -> assertThat(ledger.records(pod.podId(), ME)).isFalse());
    assertThat(scheduler.isShutdown()).isTrue();
  }
}

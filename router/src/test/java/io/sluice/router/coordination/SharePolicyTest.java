package io.sluice.router.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The share policy, one row per situation; figures for a pod whose whole budget is 1000 unless said. */
class SharePolicyTest {
  private static final OptionalLong UNCHANGED = OptionalLong.empty();

  /** The pod and pool as the coordinator reads them in a round. */
  private record Pod(long whole, long share, long reserved, boolean accepting, boolean confirmed,
      boolean othersWaiting, long queued, long head) {}

  private static Pod idle(long share, long reserved, long queued) {
    return new Pod(1000, share, reserved, true, true, false, queued, 0);
  }

  private static Pod othersWait(long share, long reserved, long head) {
    return new Pod(1000, share, reserved, true, true, true, 0, head);
  }

  private static SharePolicy.Ask ask(long want, long atLeast, OptionalLong localFirst) {
    return new SharePolicy.Ask(want, atLeast, localFirst);
  }

  static Stream<Arguments> asks() {
    return Stream.of(
        Arguments.of("idle: an eighth of the budget as headroom", idle(125, 0, 0), ask(125, 0, UNCHANGED)),
        Arguments.of("idle: reserved plus headroom", idle(425, 300, 0), ask(425, 0, UNCHANGED)),
        Arguments.of("idle: reservations ended, the share shrinks locally first", idle(425, 100, 0),
            ask(225, 0, OptionalLong.of(225))),
        Arguments.of("idle: a queue larger than the headroom is asked for", idle(225, 100, 400),
            ask(500, 0, UNCHANGED)),
        Arguments.of("idle: a queue past the whole budget asks for the whole", idle(0, 0, 5000),
            ask(1000, 0, UNCHANGED)),
        Arguments.of("idle: reserved plus headroom stops at the whole budget", idle(1000, 950, 0),
            ask(1000, 0, UNCHANGED)),
        Arguments.of("idle: a share below what is reserved (a racing reservation) asks for more",
            idle(50, 100, 0), ask(225, 0, UNCHANGED)),
        Arguments.of("idle: headroom rounds down", new Pod(1001, 0, 0, true, true, false, 0, 0),
            ask(125, 0, UNCHANGED)),
        Arguments.of("idle: at least one token of headroom", new Pod(7, 0, 0, true, true, false, 0, 0),
            ask(1, 0, UNCHANGED)),
        Arguments.of("not accepting (draining): everything goes back", new Pod(1000, 500, 200, false, true, false,
            0, 0), ask(0, 0, OptionalLong.of(0))),
        Arguments.of("not accepting, others waiting: everything goes back", new Pod(1000, 500, 200, false, true, true,
            0, 300), ask(0, 0, OptionalLong.of(0))),
        Arguments.of("unconfirmed (new pod, or the fallback share): nothing local until the ledger grants",
            new Pod(1000, 250, 100, true, false, false, 0, 0), ask(225, 0, OptionalLong.of(0))),
        Arguments.of("others wait, the head fits the local share: keep reserved plus the head",
            othersWait(500, 100, 300), ask(400, 0, OptionalLong.of(400))),
        Arguments.of("others wait, the head does not fit: all or nothing, the partial share goes",
            othersWait(200, 100, 300), ask(400, 400, OptionalLong.of(100))),
        Arguments.of("others wait, a head past the whole budget asks for the whole, all or nothing",
            othersWait(0, 0, 5000), ask(1000, 1000, OptionalLong.of(0))),
        Arguments.of("others wait, nothing queued here: only what is reserved", othersWait(300, 100, 0),
            ask(100, 0, OptionalLong.of(100))),
        Arguments.of("others wait, unconfirmed: all or nothing and nothing local",
            new Pod(1000, 0, 0, true, false, true, 0, 300), ask(300, 300, OptionalLong.of(0))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("asks")
  void theShareAskedFor(String situation, Pod pod, SharePolicy.Ask expected) {
    assertThat(SharePolicy.ask(pod.whole(), pod.share(), pod.reserved(), pod.accepting(), pod.confirmed(),
        pod.othersWaiting(), pod.queued(), pod.head())).isEqualTo(expected);
  }

  static Stream<Arguments> leases() {
    return Stream.of(
        Arguments.of("keeps the local share", ask(225, 0, UNCHANGED), 225, 100, 0, 1000,
            new SharePolicy.Lease(225, 225, 0, 1000)),
        Arguments.of("keeps what a racing reservation holds past the shrunk share", ask(225, 0, UNCHANGED), 225, 300,
            0, 1000, new SharePolicy.Lease(225, 300, 0, 1000)),
        Arguments.of("adds what a replaced pod still holds to want, keep and atLeast", ask(400, 400, UNCHANGED), 100,
            100, 150, 1000, new SharePolicy.Lease(550, 250, 550, 1000)),
        Arguments.of("the budget grows to what must be kept when the whole budget shrank", ask(0, 0, UNCHANGED), 0,
            900, 300, 1000, new SharePolicy.Lease(300, 1200, 0, 1200)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("leases")
  void theLeaseOfALivePod(String situation, SharePolicy.Ask ask, long shareAfter, long reservedAfter, long gone,
      long whole, SharePolicy.Lease expected) {
    assertThat(SharePolicy.lease(ask, shareAfter, reservedAfter, gone, whole)).isEqualTo(expected);
  }

  static Stream<Arguments> keepOnly() {
    return Stream.of(
        Arguments.of("departed pods still hold tokens: they stay recorded", 150, 1000,
            new SharePolicy.Lease(150, 150, 0, 1000)),
        Arguments.of("nothing held any more: the share is dropped", 0, 1000, new SharePolicy.Lease(0, 0, 0, 1000)),
        Arguments.of("the whole budget was never known: the budget is what is held", 500, 0,
            new SharePolicy.Lease(500, 500, 0, 500)),
        Arguments.of("closing with a reservation past a shrunk budget: it stays recorded", 1200, 1000,
            new SharePolicy.Lease(1200, 1200, 0, 1200)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keepOnly")
  void theLeaseThatKeepsOnlyWhatIsReserved(String situation, long goneReserved, long whole, SharePolicy.Lease expected) {
    assertThat(SharePolicy.keepOnly(goneReserved, whole)).isEqualTo(expected);
  }

  static Stream<Arguments> grants() {
    return Stream.of(
        Arguments.of("no departed pods: the grant is the local share", 500, 0, 500),
        Arguments.of("departed pods' reservations come out of the grant", 500, 150, 350),
        Arguments.of("never below zero", 100, 150, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("grants")
  void theLocalShareOfAGrant(String situation, long granted, long gone, long expected) {
    assertThat(SharePolicy.grantedLocally(granted, gone)).isEqualTo(expected);
  }

  static Stream<Arguments> fallbacks() {
    return Stream.of(
        Arguments.of("live count unknown: divided by fallbackReplicas, rounded down", 1000, 0, 3, 333L),
        Arguments.of("a replica joined: the live count wins", 1000, 4, 3, 250L),
        Arguments.of("replicas left, one is alive: the whole budget", 1000, 1, 3, 1000L),
        Arguments.of("no fallbackReplicas and no live count: at least one replica", 1000, 0, 0, 1000L),
        Arguments.of("a budget smaller than the replicas: nothing", 2, 0, 3, 0L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fallbacks")
  void thePartitionedShareWhileTheLedgerIsAway(String situation, long whole, int live, int configured,
      long expected) {
    assertThat(SharePolicy.fallbackShare(whole, live, configured)).isEqualTo(expected);
  }

  static Stream<Arguments> failures() {
    long grace = 450_000_000L; // half of a 900 ms TTL
    return Stream.of(
        Arguments.of("never confirmed: falls back at once", false, 0L, 1L, grace, true),
        Arguments.of("confirmed within the grace: the ledger still records the share", true, 0L, grace - 1, grace,
            false),
        Arguments.of("the grace is over: the share may have lapsed (a stale record)", true, 0L, grace, grace, true),
        Arguments.of("long past the grace", true, 0L, 10 * grace, grace, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void aFailedCallFallsBackOnlyPastTheGrace(String situation, boolean confirmed, long confirmedAt, long now,
      long grace, boolean expected) {
    assertThat(SharePolicy.fallsBack(confirmed, confirmedAt, now, grace)).isEqualTo(expected);
  }
}

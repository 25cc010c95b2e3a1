package io.sluice.scoring.plugins.sessionaffinity;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.EndpointSnapshot;
import io.sluice.scoring.Pods;
import io.sluice.scoring.RequestSnapshot;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionAffinityTest {
  private final AtomicLong now = new AtomicLong();
  private final SessionAffinity plugin = new SessionAffinity(new SessionAffinity.Args(60L, 100L), now::get);
  private final List<Endpoint> pods = List.of(EndpointSnapshot.of("a", 1000, 0),
      EndpointSnapshot.of("b", 1000, 950), EndpointSnapshot.of("c", 1000, 0));

  private static RequestSnapshot session(String key, long tokens) {
    return RequestSnapshot.of("m", tokens).withSession(key);
  }

  @Test
  void scoresOneForTheSessionsLastPodOnly() {
    plugin.picked(session("s1", 10), pods.get(2));

    assertThat(Pods.scoreAll(plugin, session("s1", 10), pods)).containsExactly(0, 0, 1);
    assertThat(Pods.scoreAll(plugin, session("s2", 10), pods)).containsExactly(0, 0, 0);
    assertThat(Pods.scoreAll(plugin, RequestSnapshot.of("m", 10), pods)).containsExactly(0, 0, 0);
  }

  @Test
  void letsGoOfThePodWhileTheRequestDoesNotFit() {
    plugin.picked(session("s1", 10), pods.get(1));

    assertThat(plugin.score(session("s1", 50), pods.get(1))).isEqualTo(1);
    assertThat(plugin.score(session("s1", 51), pods.get(1))).isEqualTo(0);
  }

  @Test
  void followsTheLatestPick() {
    plugin.picked(session("s1", 10), pods.get(0));
    plugin.picked(session("s1", 10), pods.get(2));

    assertThat(Pods.scoreAll(plugin, session("s1", 10), pods)).containsExactly(0, 0, 1);
  }

  @Test
  void forgetsIdleSessionsAfterTheTtl() {
    plugin.picked(session("s1", 10), pods.get(0));
    now.addAndGet(TimeUnit.SECONDS.toNanos(59));
    assertThat(plugin.score(session("s1", 10), pods.get(0))).isEqualTo(1);

    now.addAndGet(TimeUnit.SECONDS.toNanos(61));

    assertThat(plugin.score(session("s1", 10), pods.get(0))).isEqualTo(0);
    assertThat(plugin.size()).isZero();
  }

  @Test
  void holdsAtMostItsCapacity() {
    for (int i = 0; i < 1000; i++) {
      plugin.picked(session("s" + i, 10), pods.get(0));
    }

    assertThat(plugin.size()).isLessThanOrEqualTo(100);
  }
}

package io.sluice.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The live page's bounded memory: per-second rings that forget old seconds, a decision ring of fixed size. */
class LiveViewTest {
  private final AtomicLong millis = new AtomicLong(1_000_000_000L);
  private final LiveView live = new LiveView(millis::get);

  @Test
  void countsPerSecondAndReportsOnlyFullSecondsOldestFirst() {
    live.count("p", "outcome", "admitted", 2);
    millis.addAndGet(1000);
    live.count("p", "outcome", "admitted", 5);
    millis.addAndGet(1000);
    live.count("p", "outcome", "admitted", 7); // the current second: not reported yet
    long[] values = live.lastSeconds(3).get(new LiveView.Key("p", "outcome", "admitted"));
    assertThat(values).containsExactly(0, 2, 5);
  }

  @Test
  void aSlotReusedAfterTheRingWrapsStartsFromZero() {
    live.count("p", "tokens", "actual", 100);
    millis.addAndGet(LiveView.SECONDS * 1000L); // the same slot, a new second
    live.count("p", "tokens", "actual", 1);
    millis.addAndGet(1000);
    long[] values = live.lastSeconds(LiveView.SECONDS).get(new LiveView.Key("p", "tokens", "actual"));
    assertThat(values[values.length - 1]).isEqualTo(1);
    assertThat(java.util.Arrays.stream(values).sum()).isEqualTo(1);
  }

  @Test
  void keepsTheLastDecisionsNewestFirst() {
    for (int i = 0; i < LiveView.DECISIONS + 7; i++) {
      live.decided("r-" + i, "p", "default", "admitted", 10, 5, 0, "pod", null, null);
    }
    assertThat(live.decisionCount()).isEqualTo(LiveView.DECISIONS + 7);
    assertThat(live.lastDecisions()).hasSize(LiveView.DECISIONS);
    assertThat(live.lastDecisions().get(0).requestId()).isEqualTo("r-" + (LiveView.DECISIONS + 6));
    assertThat(live.lastDecisions().get(LiveView.DECISIONS - 1).requestId()).isEqualTo("r-7");
  }

  @Test
  void forgetsAPoolThatLeft() {
    live.count("gone", "outcome", "admitted", 1);
    live.count("kept", "outcome", "admitted", 1);
    live.forget("gone");
    assertThat(live.lastSeconds(10).keySet()).extracting(LiveView.Key::pool).containsExactly("kept");
  }
}

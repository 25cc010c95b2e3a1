package io.sluice.sim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplaySummaryTest {
  private static final long MS = 1_000_000L;

  private static RequestResult ok(int i, long ttftMs, long e2eMs, int chunks) {
    return new RequestResult(i, "t", 10, chunks, true, 200, "", 0, ttftMs * MS, e2eMs * MS, chunks, MS);
  }

  @Test
  void percentilesThroughputAndErrors() {
    List<RequestResult> results = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      results.add(ok(i, i, 100 + i, 11));
    }
    results.add(new RequestResult(101, "t", 10, 5, true, 429, "HTTP 429", 0, -1, 2 * MS, 0, 0));
    results.add(new RequestResult(102, "t", 10, 5, true, 0, "ConnectException", 0, -1, 2 * MS, 0, 0));

    ReplaySummary s = ReplaySummary.of(results, LatencyStats.newHistogram(), 10.0, new Slo(1_000, 100));

    assertThat(s.requests()).isEqualTo(102);
    assertThat(s.ok()).isEqualTo(100);
    assertThat(s.errors()).containsEntry(429, 1).containsEntry(0, 1);
    assertThat(s.ttft().p50()).isCloseTo(50, within(0.1));
    assertThat(s.ttft().p99()).isCloseTo(99, within(0.1));
    assertThat(s.e2e().max()).isCloseTo(200, within(0.2));
    assertThat(s.requestsPerSec()).isCloseTo(10.0, within(1e-9));
    assertThat(s.outputTokensPerSec()).isCloseTo(110.0, within(1e-9));
    assertThat(s.itl().count()).isZero();
  }

  @Test
  void goodputCountsOnlyRequestsWithinTheSlo() {
    List<RequestResult> results = List.of(
        ok(0, 100, 1_100, 11),   // TPOT 100 ms: within
        ok(1, 100, 1_200, 11),   // TPOT 110 ms: out
        ok(2, 2_000, 2_100, 11)); // TTFT out

    ReplaySummary s = ReplaySummary.of(results, LatencyStats.newHistogram(), 1.0, new Slo(1_000, 100));

    assertThat(s.goodputPerSec()).isEqualTo(1.0);
  }
}

package io.sluice.sim.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ReplayArrivalScheduleTest {
  private static final long S = 1_000_000_000L;
  private static final List<TraceRecord> TRACE = List.of(
      new TraceRecord(0, 10, 1), new TraceRecord(S / 2, 20, 2), new TraceRecord(2 * S, 30, 3));

  @Test
  void asRecordedKeepsTheOffsetsAndTokens() {
    List<Arrival> arrivals = ArrivalSchedule.build(TRACE, OptionalDouble.empty(), 10 * S, 3);

    assertThat(arrivals).containsExactly(new Arrival(0, 0, 10, 1), new Arrival(1, S / 2, 20, 2),
        new Arrival(2, 2 * S, 30, 3));
  }

  @Test
  void rescalingMultipliesEveryGapByOneFactor() {
    // recorded mean gap 1 s; 4 req/s means gaps a quarter as long, the burst shape kept
    List<Arrival> arrivals = ArrivalSchedule.build(TRACE, OptionalDouble.of(4.0), 10 * S, 3);

    assertThat(arrivals).extracting(Arrival::offsetNanos).containsExactly(0L, S / 8, S / 2);
  }

  @Test
  void wrapsAroundOneMeanGapAfterTheEnd() {
    List<Arrival> arrivals = ArrivalSchedule.build(TRACE, OptionalDouble.empty(), 100 * S, 7);

    assertThat(arrivals).extracting(Arrival::offsetNanos)
        .containsExactly(0L, S / 2, 2 * S, 3 * S, 3 * S + S / 2, 5 * S, 6 * S);
    assertThat(arrivals).extracting(Arrival::index).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(arrivals.get(4).promptTokens()).isEqualTo(20);
  }

  @Test
  void stopsAtTheDuration() {
    List<Arrival> arrivals = ArrivalSchedule.build(TRACE, OptionalDouble.empty(), 2 * S, 100);

    assertThat(arrivals).hasSize(2);
  }

  @Test
  void theWindowReplayedHasTheTargetRateEvenWhenTheTraceStartsQuiet() {
    // a quiet start (one gap of 10 s) then a dense tail: the window of 4 requests is spread over 2 s
    List<TraceRecord> quietStart = List.of(new TraceRecord(0, 1, 1), new TraceRecord(10 * S, 1, 1),
        new TraceRecord(10 * S + S / 10, 1, 1), new TraceRecord(10 * S + S / 5, 1, 1), new TraceRecord(100 * S, 1, 1));

    List<Arrival> arrivals = ArrivalSchedule.build(quietStart, OptionalDouble.of(2.0), 2 * S, 100);

    assertThat(arrivals).hasSize(4);
    assertThat(arrivals.get(3).offsetNanos()).isEqualTo(3 * S / 2);
  }

  @Test
  void meanRateOverManyArrivalsIsTheTarget() {
    List<Arrival> arrivals = ArrivalSchedule.build(TRACE, OptionalDouble.of(50.0), 1000 * S, 3001);

    double seconds = arrivals.get(3000).offsetNanos() / 1e9;
    assertThat(3000 / seconds).isCloseTo(50.0, org.assertj.core.data.Offset.offset(0.01));
  }
}

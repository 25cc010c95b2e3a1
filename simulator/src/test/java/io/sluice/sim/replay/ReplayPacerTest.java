package io.sluice.sim.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The pacer on a virtual clock: sleeping advances the clock, sending takes as long as a test says. */
class ReplayPacerTest {
  private static final long MS = 1_000_000L;
  private long now = 1_000 * MS;

  private OpenLoopPacer pacer() {
    return new OpenLoopPacer(() -> now, until -> now = Math.max(now, until));
  }

  @Test
  void sendsEachArrivalAtItsScheduledTime() {
    List<Arrival> arrivals = List.of(new Arrival(0, 0, 1, 1), new Arrival(1, 5 * MS, 1, 1), new Arrival(2, 7 * MS, 1, 1));
    List<long[]> sends = new ArrayList<>();
    long start = now;

    int sent = pacer().run(arrivals, start, (arrival, at) -> sends.add(new long[] {now - start, at - start}));

    assertThat(sent).isEqualTo(3);
    assertThat(sends).extracting(s -> s[0]).containsExactly(0L, 5 * MS, 7 * MS);
    assertThat(sends).extracting(s -> s[1]).containsExactly(0L, 5 * MS, 7 * MS);
  }

  @Test
  void neverWaitsOnResponses() {
    // every request is still outstanding when the next is due: an open loop sends regardless
    List<Arrival> arrivals = ArrivalSchedule.build(
        List.of(new TraceRecord(0, 1, 1), new TraceRecord(MS, 1, 1)), OptionalDouble.of(1000.0), 50 * MS, 50);
    List<Long> outstanding = new ArrayList<>();
    long start = now;

    pacer().run(arrivals, start, (arrival, at) -> outstanding.add(now - start));

    assertThat(outstanding).hasSize(50);
    assertThat(outstanding.get(49)).isEqualTo(49 * MS);
  }

  @Test
  void aLateSendGoesAtOnceAndKeepsItsScheduledTime() {
    List<Arrival> arrivals = List.of(new Arrival(0, 0, 1, 1), new Arrival(1, 1 * MS, 1, 1), new Arrival(2, 10 * MS, 1, 1));
    List<long[]> sends = new ArrayList<>();
    long start = now;

    pacer().run(arrivals, start, (arrival, at) -> {
      sends.add(new long[] {now - start, at - start});
      now += 3 * MS; // a slow send: the pacer falls behind by 2 ms on the second arrival
    });

    assertThat(sends).extracting(s -> s[0]).containsExactly(0L, 3 * MS, 10 * MS);
    assertThat(sends).extracting(s -> s[1]).containsExactly(0L, 1 * MS, 10 * MS);
  }
}

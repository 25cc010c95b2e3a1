package io.sluice.scoring.plugins.queuedepth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.EndpointSnapshot;
import io.sluice.scoring.Pods;
import io.sluice.scoring.RequestSnapshot;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QueueDepthTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("equal queues score 1", List.of(Pods.engine("a", 9, 3, 0), Pods.engine("b", 0, 3, 0)),
            new double[] {1, 1}),
        Arguments.of("min-max normalised, running ignored",
            List.of(Pods.engine("a", 0, 10, 0), Pods.engine("b", 30, 2, 0), Pods.engine("c", 0, 6, 0)),
            new double[] {0, 1, 0.5}),
        Arguments.of("unknown metrics use the router's in-flight requests",
            List.of(EndpointSnapshot.of("a", 1000, 0).withInFlight(4, 0), Pods.engine("b", 0, 0, 0)),
            new double[] {0, 1}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shorterQueueScoresHigher(String name, List<Endpoint> pods, double[] expected) {
    double[] scores = Pods.scoreAll(new QueueDepth(), RequestSnapshot.of("m", 10), pods);

    assertThat(scores).containsExactly(expected, within(1e-9));
  }
}

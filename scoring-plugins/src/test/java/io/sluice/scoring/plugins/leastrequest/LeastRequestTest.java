package io.sluice.scoring.plugins.leastrequest;

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

class LeastRequestTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("all idle score 1", List.of(Pods.engine("a", 0, 0, 0), Pods.engine("b", 0, 0, 0)),
            new double[] {1, 1}),
        Arguments.of("running only: (max - load) / max",
            List.of(Pods.engine("a", 4, 0, 0), Pods.engine("b", 1, 0, 0), Pods.engine("c", 0, 0, 0)),
            new double[] {0, 0.75, 1}),
        Arguments.of("a waiting request weighs 100 running ones",
            List.of(Pods.engine("a", 0, 1, 0), Pods.engine("b", 50, 0, 0)),
            new double[] {0, 0.5}),
        Arguments.of("unknown metrics use the router's in-flight requests",
            List.of(EndpointSnapshot.of("a", 1000, 0).withInFlight(2, 0), Pods.engine("b", 8, 0, 0)),
            new double[] {0.75, 0}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void kthenaFormula(String name, List<Endpoint> pods, double[] expected) {
    double[] scores = Pods.scoreAll(new LeastRequest(), RequestSnapshot.of("m", 10), pods);

    assertThat(scores).containsExactly(expected, within(1e-9));
  }
}

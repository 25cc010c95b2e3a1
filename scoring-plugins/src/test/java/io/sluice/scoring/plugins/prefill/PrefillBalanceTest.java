package io.sluice.scoring.plugins.prefill;

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

class PrefillBalanceTest {
  private static EndpointSnapshot pending(String id, long tokens) {
    return EndpointSnapshot.of(id, 10_000, 0).withPendingPrefill(tokens);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("nothing pending anywhere: all 1", List.of(pending("a", 0), pending("b", 0)), new double[] {1, 1}),
        Arguments.of("(max - pending) / max", List.of(pending("a", 8000), pending("b", 2000), pending("c", 0)),
            new double[] {0, 0.75, 1}),
        // Tokens, not requests: one pod with a single 6,000-token prompt is busier than one with
        // three short ones, whatever the request counts say.
        Arguments.of("one long prompt weighs more than three short ones",
            List.<Endpoint>of(pending("long", 6000).withInFlight(1, 6000), pending("short", 300).withInFlight(3, 300)),
            new double[] {0, 0.95}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void scoresByPendingPrefillTokens(String name, List<Endpoint> pods, double[] expected) {
    double[] scores = Pods.scoreAll(new PrefillBalance(), RequestSnapshot.of("m", 10), pods);
    assertThat(scores).containsExactly(expected, within(1e-9));
  }
}

package io.sluice.scoring.plugins.tokenbudget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.EndpointSnapshot;
import io.sluice.scoring.RequestSnapshot;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TokenBudgetTest {
  private final TokenBudget plugin = new TokenBudget();

  @ParameterizedTest(name = "budget {0}, reserved {1}, reservation {2} -> fits {3}, score {4}")
  @CsvSource({
      "1000,    0,  100, true,  0.9",
      "1000,  900,  100, true,  0.0",
      "1000,  901,  100, false, 0.0",
      "1000,  500,  250, true,  0.25",
      "0,       0,    1, false, 0.0",
      "0,       0,    0, true,  0.0",
      "1000, 1500,    0, false, 0.0",
  })
  void filtersAndScoresByHeadroomAfterTheReservation(long budget, long reserved, long reservation,
      boolean fits, double score) {
    Endpoint pod = EndpointSnapshot.of("p", budget, reserved);
    RequestSnapshot request = RequestSnapshot.of("m", reservation);

    assertThat(plugin.filter(request, List.of(pod))).hasSize(fits ? 1 : 0);
    assertThat(plugin.score(request, pod)).isCloseTo(score, within(1e-9));
  }

  @Test
  void keepsOrderAndReturnsTheSameListWhenEverythingFits() {
    List<Endpoint> pods = List.of(EndpointSnapshot.of("a", 100, 0), EndpointSnapshot.of("b", 100, 90),
        EndpointSnapshot.of("c", 100, 50), EndpointSnapshot.of("d", 100, 95));
    RequestSnapshot small = RequestSnapshot.of("m", 5);
    RequestSnapshot large = RequestSnapshot.of("m", 20);

    assertThat(plugin.filter(small, pods)).isSameAs(pods);
    assertThat(plugin.filter(large, pods)).extracting(Endpoint::id).containsExactly("a", "c");
  }
}

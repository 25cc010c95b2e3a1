package io.sluice.scoring.plugins.kvcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.scoring.EndpointSnapshot;
import io.sluice.scoring.EngineMetrics;
import io.sluice.scoring.RequestSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KvCacheTest {
  @ParameterizedTest(name = "known {0}, usage {1}, budget {2}, reserved {3} -> {4}")
  @CsvSource({
      "true,  0.0,  1000,   0, 1.0",
      "true,  0.8,  1000,   0, 0.2",
      "true,  1.0,  1000,   0, 0.0",
      "true,  0.3,  1000, 900, 0.7",
      "false, 0.0,  1000, 250, 0.75",
      "false, 0.0,  1000,   0, 1.0",
      "false, 0.0,     0,   0, 0.0",
  })
  void freeCacheFromTheEngineElseFromTheRoutersBooks(boolean known, double usage, long budget,
      long reserved, double expected) {
    EngineMetrics metrics = known ? EngineMetrics.of(1, 0, usage) : EngineMetrics.UNKNOWN;
    EndpointSnapshot pod = EndpointSnapshot.of("p", budget, reserved).withMetrics(metrics);

    assertThat(new KvCache().score(RequestSnapshot.of("m", 10), pod)).isCloseTo(expected, within(1e-9));
  }
}

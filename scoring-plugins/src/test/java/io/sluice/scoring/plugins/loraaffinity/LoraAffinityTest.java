package io.sluice.scoring.plugins.loraaffinity;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.scoring.EndpointSnapshot;
import io.sluice.scoring.EngineMetrics;
import io.sluice.scoring.RequestSnapshot;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoraAffinityTest {
  @ParameterizedTest(name = "adapter {0}, loaded [{1}], maxLoras {2}, known {3} -> {4}")
  @CsvSource(nullValues = "null", value = {
      "sql,  sql,        1, true,  1.0",
      "sql,  chat;sql,   2, true,  1.0",
      "sql,  '',         1, true,  0.5",
      "sql,  chat,       2, true,  0.5",
      "sql,  chat,       1, true,  0.0",
      "sql,  chat;math,  2, true,  0.0",
      "sql,  '',         1, false, 0.5",
      "null, chat,       1, true,  1.0",
  })
  void loadedBeatsFreeSlotBeatsNeither(String adapter, String loaded, int maxLoras, boolean known,
      double expected) {
    Set<String> adapters = new HashSet<>(Arrays.asList(loaded.split(";")));
    adapters.remove("");
    EngineMetrics metrics = known
        ? new EngineMetrics(true, 0, 0, 0, adapters, 0, 0)
        : EngineMetrics.UNKNOWN;
    EndpointSnapshot pod = EndpointSnapshot.of("p", 1000, 0).withMetrics(metrics);
    LoraAffinity plugin = new LoraAffinity(new LoraAffinity.Args(maxLoras));

    assertThat(plugin.score(RequestSnapshot.of("m", 10).withAdapter(adapter), pod)).isEqualTo(expected);
  }
}

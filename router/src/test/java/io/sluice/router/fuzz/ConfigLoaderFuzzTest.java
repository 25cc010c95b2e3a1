package io.sluice.router.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.router.config.ConfigLoader;
import java.nio.charset.StandardCharsets;

/**
 * Any text as a config file: the loader returns a config or a list of problems, never throws.
 * Seeds: {@code ConfigLoaderFuzzTestInputs/load}.
 */
class ConfigLoaderFuzzTest {

  @FuzzTest(maxDuration = "4m")
  void load(byte[] file) {
    String yaml = new String(file, StandardCharsets.UTF_8);
    ConfigLoader.Result result = ConfigLoader.parse(yaml, "fuzz.yaml");
    assertThat(result.ok() ? result.config() : result.problems()).isNotNull();
    if (!result.ok()) {
      assertThat(result.problems()).isNotEmpty();
    }
    ConfigLoader.Result settings = ConfigLoader.parseSettings(yaml, "fuzz.yaml");
    assertThat(settings.ok() || !settings.problems().isEmpty()).isTrue();
  }
}

package io.sluice.sim.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.text.PseudoTokenizer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ReplayPromptTest {
  @Test
  void hasTheTokenCountOfTheTraceForACodePointsOverFourCounter() {
    PseudoTokenizer tokenizer = new PseudoTokenizer();
    for (int tokens : new int[] {1, 7, 1020, 14050}) {
      assertThat(tokenizer.encode(SyntheticPrompt.of(123, tokens))).hasSize(tokens);
    }
  }

  @Test
  void promptsOfTwoRequestsDifferInTheirFirstBlock() {
    assertThat(SyntheticPrompt.of(1, 100).substring(0, 64)).isNotEqualTo(SyntheticPrompt.of(2, 100).substring(0, 64));
  }

  @Test
  void bodyCarriesMaxTokensAsConfigured() {
    Arrival a = new Arrival(3, 0, 10, 42);

    assertThat(new JsonObject(new RequestShape("m", true, RequestShape.FROM_TRACE).body(a)).getInteger("max_tokens"))
        .isEqualTo(42);
    assertThat(new JsonObject(new RequestShape("m", true, RequestShape.OMIT).body(a)).containsKey("max_tokens"))
        .isFalse();
    assertThat(new JsonObject(new RequestShape("m", false, 7).body(a)).getInteger("max_tokens")).isEqualTo(7);
  }
}

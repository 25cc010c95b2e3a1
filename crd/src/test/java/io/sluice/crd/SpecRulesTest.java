package io.sluice.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.SpecRules.Violation;
import io.sluice.crd.TrafficClassSpec.SecretKeys;
import io.sluice.crd.TrafficClassSpec.TrafficMatch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecRulesTest {

  @Test
  void everyCelRuleOfTheRecordsHasAJavaCheck() {
    assertThat(SpecRules.uncheckedRules(ModelPoolSpec.class)).isEmpty();
    assertThat(SpecRules.uncheckedRules(TrafficClassSpec.class)).isEmpty();
  }

  @Test
  void defaultsBreakNoRule() {
    assertThat(SpecRules.check(ModelPoolSpec.of(List.of("m"), List.of(), null), false)).isEmpty();
    assertThat(SpecRules.check(TrafficClassSpec.of(0, null, null, false), true)).isEmpty();
  }

  /** Issue 16: the header's bounds were the CRD's only; a static file took ±2,000,000,000. */
  @Test
  void issue16PriorityHeaderBoundsAreTheCrds() {
    TrafficClassSpec spec = new TrafficClassSpec(0, null, null, null, null, true, -2_000_000_000, 2_000_000_000, null);
    assertThat(SpecRules.check(spec, false)).containsExactly(
        new Violation("/priorityHeaderMin", "must be between -1000000 and 1000000, got -2000000000"),
        new Violation("/priorityHeaderMax", "must be between -1000000 and 1000000, got 2000000000"));
  }

  @Test
  void issue16TokenizerUrlIsRefused() {
    ModelPoolSpec spec = pool(new TokenizerSpec(TokenizerType.HUGGINGFACE,
        "https://huggingface.co/Qwen/Qwen3-8B/resolve/main/tokenizer.json", null, null, null, null), BudgetSpec.defaults());
    assertThat(SpecRules.check(spec, false)).singleElement().satisfies(v -> {
      assertThat(v.pointer()).isEqualTo("/tokenizer/path");
      assertThat(v.message()).contains("local path").contains("URLs are not downloaded");
    });
    ModelPoolSpec local = pool(new TokenizerSpec(TokenizerType.HUGGINGFACE, "/models/qwen/tokenizer.json", null, null,
        null, "/models/qwen/chat_template.jinja"), BudgetSpec.defaults());
    assertThat(SpecRules.check(local, false)).isEmpty();
    ModelPoolSpec fileUrl = pool(new TokenizerSpec(TokenizerType.HUGGINGFACE, "file:///models/qwen/tokenizer.json", null,
        null, null, null), BudgetSpec.defaults());
    assertThat(SpecRules.check(fileUrl, false)).isEmpty();
    ModelPoolSpec templateUrl = pool(new TokenizerSpec(TokenizerType.HUGGINGFACE, "/models/qwen/tokenizer.json", null,
        null, null, "https://example.com/chat_template.jinja"), BudgetSpec.defaults());
    assertThat(SpecRules.check(templateUrl, false)).singleElement()
        .satisfies(v -> assertThat(v.pointer()).isEqualTo("/tokenizer/chatTemplate"));
  }

  @Test
  void exclusiveBoundsSayAboveAndBelow() {
    BudgetSpec budget = new BudgetSpec(null, 0.0, Double.POSITIVE_INFINITY, -1, null, null, 1.0, 0, null, null, null);
    assertThat(SpecRules.check(pool(TokenizerSpec.approximate(), budget), false)).containsExactly(
        new Violation("/budget/utilization", "must be above 0 and at most 1, got 0"),
        new Violation("/budget/safetyFactor", "must be a finite number, got Infinity"),
        new Violation("/budget/minReservationTokens", "must not be negative, got -1"),
        new Violation("/budget/outputQuantile", "must be above 0 and below 1, got 1"),
        new Violation("/budget/blockSize", "must be at least 1, got 0"));
  }

  @Test
  void sizesOfListsAndRequiredFieldsInACluster() {
    ModelPoolSpec spec = new ModelPoolSpec(List.of(), null, null, null, null, null, null, null, null, null,
        Map.of("app", "x"), null);
    assertThat(SpecRules.check(spec, false)).containsExactly(new Violation("/models",
        "must list at least one entry: Model names clients send in the `model` field."));
    assertThat(SpecRules.check(spec, true)).extracting(Violation::pointer).containsExactly("/models", "/targetPort");
    assertThat(SpecRules.check(spec, true).get(1).message()).startsWith("is required: Cluster mode: the port");
  }

  @Test
  void nestedRecordsInsideListsAndMapsArePointedAt() {
    TrafficMatch match = new TrafficMatch(null, null, new SecretKeys(null, null), null);
    TrafficClassSpec spec = new TrafficClassSpec(3_000_000, match, null, null, null, null, null, null, null);
    assertThat(SpecRules.check(spec, true)).extracting(Violation::pointer)
        .containsExactly("/priority", "/match/apiKeySecretRef/name", "/priorityHeaderMax");
  }

  private static ModelPoolSpec pool(TokenizerSpec tokenizer, BudgetSpec budget) {
    return new ModelPoolSpec(List.of("m"), List.of("http://127.0.0.1:1"), null, tokenizer, budget, null, null, null,
        null, null);
  }
}

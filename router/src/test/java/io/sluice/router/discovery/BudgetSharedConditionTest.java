package io.sluice.router.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.sluice.crd.k8s.ModelPoolStatus;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.testing.RouterHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ModelPool condition {@code BudgetShared} follows the pool's shared-ledger state. */
class BudgetSharedConditionTest {

  private static Condition budgetShared(ModelPoolStatus status) {
    return status.conditions().stream().filter(c -> "BudgetShared".equals(c.getType())).findFirst().orElse(null);
  }

  @Test
  void reportsTheLedgerAndTheFallback() throws Exception {
    try (RouterHarness harness = new RouterHarness().start(RouterHarness.config("m", List.of("http://127.0.0.1:1"), ""))) {
      PoolRuntime runtime = harness.router.pools().named("pool-a");
      PoolReport report = new PoolReport("ns", "pool-a", 3L, "pool-a", 1, 1, null);
      assertThat(budgetShared(StatusWriter.status(report, runtime, null))).isNull(); // not coordinated

      runtime.setCoordination(PoolRuntime.Coordination.SHARED);
      ModelPoolStatus shared = StatusWriter.status(report, runtime, null);
      assertThat(budgetShared(shared).getStatus()).isEqualTo("True");
      assertThat(budgetShared(shared).getReason()).isEqualTo("RedisLedger");

      runtime.setCoordination(PoolRuntime.Coordination.FALLBACK);
      ModelPoolStatus fallback = StatusWriter.status(report, runtime, shared);
      assertThat(budgetShared(fallback).getStatus()).isEqualTo("False");
      assertThat(budgetShared(fallback).getReason()).isEqualTo("RedisUnreachable");
      assertThat(budgetShared(fallback).getMessage()).contains("partitioned");
    }
  }
}

package io.sluice.router.runtime;

import static io.sluice.crd.BudgetCoordination.LOCAL;
import static io.sluice.crd.BudgetCoordination.PARTITIONED;
import static io.sluice.crd.BudgetCoordination.REDIS;
import static io.sluice.crd.BudgetLimit.ADAPTIVE;
import static io.sluice.crd.BudgetLimit.FIXED;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.BudgetCoordination;
import io.sluice.crd.BudgetLimit;
import io.sluice.crd.BudgetSpec;
import io.sluice.crd.TokenBudget;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How a pod's budget is decided: one row per case of configuration, engine report, adaptive limit and replicas. */
class BudgetPolicyTest {
  private static final long AUTO = -1;
  private static final long NONE = -1; // no KV size reported / no adaptive limit yet / no budget known

  private static BudgetSpec budget(long tokensPerPod, BudgetLimit limit, BudgetCoordination coordination) {
    TokenBudget tokens = tokensPerPod == AUTO ? TokenBudget.AUTO : new TokenBudget(tokensPerPod);
    return new BudgetSpec(tokens, 0.9, null, null, null, null, null, null, null, limit, coordination);
  }

  private static OptionalLong known(long tokens) {
    return tokens == NONE ? OptionalLong.empty() : OptionalLong.of(tokens);
  }

  static Stream<Arguments> budgets() {
    return Stream.of(
        // tokensPerPod, limit, coordination, KV size, adaptive limit, replicas, whole, this replica's, why
        Arguments.of(4000L, null, LOCAL, NONE, NONE, 1, 4000L, 4000L, "a number: that budget, before any scrape"),
        Arguments.of(4000L, null, LOCAL, 10_000L, NONE, 1, 4000L, 4000L, "a number: the engine's KV size does not matter"),
        Arguments.of(4000L, null, LOCAL, NONE, 7000L, 1, 4000L, 4000L, "a number defaults to fixed: a limit is ignored"),
        Arguments.of(AUTO, null, LOCAL, NONE, NONE, 1, NONE, NONE, "auto: unknown until the engine reports its KV size"),
        Arguments.of(AUTO, null, LOCAL, 0L, NONE, 1, NONE, NONE, "auto: a KV size of 0 is no report"),
        Arguments.of(AUTO, FIXED, LOCAL, 10_001L, NONE, 1, 9000L, 9000L, "auto: KV size x utilization, rounded down"),
        Arguments.of(AUTO, null, LOCAL, 10_000L, NONE, 1, 9000L, 9000L, "auto defaults to adaptive: configured until a limit exists"),
        Arguments.of(AUTO, null, LOCAL, 10_000L, 9400L, 1, 9400L, 9400L, "adaptive: the limit replaces the configured budget"),
        Arguments.of(AUTO, null, LOCAL, NONE, 9400L, 1, NONE, NONE, "adaptive: no limit counts before the KV size is known"),
        Arguments.of(AUTO, FIXED, LOCAL, 10_000L, 9400L, 1, 9000L, 9000L, "fixed: a limit is ignored"),
        Arguments.of(4000L, ADAPTIVE, LOCAL, 10_000L, 5000L, 1, 5000L, 5000L, "a number made adaptive follows its limit"),
        Arguments.of(4000L, ADAPTIVE, LOCAL, 10_000L, 0L, 1, 0L, 0L, "a limit of 0 is a limit"),
        Arguments.of(4000L, null, PARTITIONED, NONE, NONE, 3, 4000L, 1333L, "partitioned: the whole / live replicas, rounded down"),
        Arguments.of(AUTO, null, PARTITIONED, 10_000L, 9400L, 2, 9400L, 4700L, "partitioned: the adaptive limit is divided too"),
        Arguments.of(AUTO, null, PARTITIONED, NONE, NONE, 2, NONE, NONE, "partitioned: still unknown before a report"),
        Arguments.of(4000L, null, LOCAL, NONE, NONE, 3, 4000L, 4000L, "local: replicas do not divide it"),
        Arguments.of(AUTO, null, REDIS, 10_000L, 9400L, 2, 9000L, 9000L, "redis: no adaptive limit; the whole is the ceiling"));
  }

  @ParameterizedTest(name = "{8}")
  @MethodSource("budgets")
  void decidesTheWholeBudgetAndThisReplicasPart(long tokensPerPod, BudgetLimit limit, BudgetCoordination coordination,
      long kvCapacity, long adaptiveLimit, int replicas, long whole, long forReplica, String why) {
    BudgetSpec spec = budget(tokensPerPod, limit, coordination);
    OptionalLong decided = BudgetPolicy.whole(spec, kvCapacity, adaptiveLimit);
    assertThat(decided).as(why).isEqualTo(known(whole));
    assertThat(BudgetPolicy.forReplica(spec, decided, replicas)).as(why).isEqualTo(known(forReplica));
  }

  static Stream<Arguments> scrapes() {
    return Stream.of(
        // tokensPerPod, limit, coordination, KV size in the scrape, moves the budget, adapts, why
        Arguments.of(AUTO, FIXED, LOCAL, 10_000L, true, false, "auto: the KV size sets the budget"),
        Arguments.of(AUTO, null, LOCAL, 10_000L, true, true, "auto and adaptive: and the limit takes a step"),
        Arguments.of(AUTO, null, LOCAL, 0L, false, true, "no KV size: nothing to go by"),
        Arguments.of(4000L, null, LOCAL, 10_000L, false, false, "a fixed number: scrapes do not move it"),
        Arguments.of(4000L, ADAPTIVE, LOCAL, 10_000L, true, true, "a number made adaptive: its limit moves"),
        Arguments.of(4000L, ADAPTIVE, REDIS, 10_000L, false, false, "redis: the shared ledger sets the shares"),
        Arguments.of(AUTO, null, REDIS, 10_000L, true, false, "redis with auto: the KV size still sets the ceiling"));
  }

  @ParameterizedTest(name = "{6}")
  @MethodSource("scrapes")
  void decidesWhatAScrapeMoves(long tokensPerPod, BudgetLimit limit, BudgetCoordination coordination, long kvCapacity,
      boolean moves, boolean adapts, String why) {
    BudgetSpec spec = budget(tokensPerPod, limit, coordination);
    assertThat(BudgetPolicy.movedByScrape(spec, kvCapacity)).as(why).isEqualTo(moves);
    assertThat(BudgetPolicy.adapts(spec)).as(why).isEqualTo(adapts);
  }

  static Stream<Arguments> binding() {
    return Stream.of(
        // queued requests, pod budget, reserved on it, binding, why
        Arguments.of(0, 1000L, 899L, false, "under 90% reserved and nothing waits"),
        Arguments.of(0, 1000L, 900L, true, "90% reserved"),
        Arguments.of(1, 1000L, 0L, true, "a request waits in the pool"),
        Arguments.of(0, 0L, 0L, false, "a pod without a budget holds nothing back by itself"));
  }

  @ParameterizedTest(name = "{4}")
  @MethodSource("binding")
  void decidesWhetherTheBudgetBinds(int queued, long budget, long reserved, boolean binding, String why) {
    assertThat(BudgetPolicy.binding(queued, budget, reserved)).as(why).isEqualTo(binding);
  }
}

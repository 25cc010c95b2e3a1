package io.sluice.router.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code redis} settings and {@code coordination: redis} pools in a static file. */
class RedisSettingsTest {
  private static final String POOL = """
      apiVersion: sluice.io/v1alpha1
      kind: ModelPool
      metadata: {name: shared}
      spec:
        models: [m]
        endpoints: ["http://127.0.0.1:8000"]
        budget:
          tokensPerPod: 1000
          coordination: redis
      """;

  @Test
  void aRedisPoolWithoutARedisAddressIsRefusedAtItsLine() {
    List<ConfigProblem> problems = ConfigLoader.parse(POOL, "no-redis.yaml").problems();
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0).path()).isEqualTo("ModelPool/shared spec.budget.coordination");
    assertThat(problems.get(0).line()).isEqualTo(9);
    assertThat(problems.get(0).toString()).contains("no-redis.yaml:9").contains("redis.address");
  }

  @Test
  void defaultsAndAGoodAddress() {
    ConfigLoader.Result result = ConfigLoader.parse(POOL + """
        ---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          redis: {address: "rediss://sluice-redis:6380"}
        """, "redis.yaml");
    assertThat(result.problems()).isEmpty();
    RedisSettings redis = result.config().settings().redis();
    assertThat(redis.address()).isEqualTo("rediss://sluice-redis:6380");
    assertThat(redis.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(redis.keyPrefix()).isEqualTo("sluice:");
    assertThat(redis.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(redis.fallbackReplicas()).isEqualTo(1);
    assertThat(RouterSettings.defaults().redis().configured()).isFalse();
  }

  @Test
  void badRedisSettingsAreReportedOneByOne() {
    List<ConfigProblem> problems = ConfigLoader.parse("""
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          redis: {address: "http://redis:6379", timeout: 0s, leaseTtl: 100ms, fallbackReplicas: 0}
        ---
        """ + POOL.replace("coordination: redis", "coordination: local"), "bad.yaml").problems();
    assertThat(problems).extracting(ConfigProblem::path).contains("RouterSettings/settings spec.redis.address",
        "RouterSettings/settings spec.redis.timeout", "RouterSettings/settings spec.redis.leaseTtl",
        "RouterSettings/settings spec.redis.fallbackReplicas");
  }
}

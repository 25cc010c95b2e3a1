package io.sluice.router.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.config.RedisSettings;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * The ledger against Redis in a container (the image a cluster would run), where Docker exists.
 * Without Docker it is skipped: {@link RedisLedgerTest} covers the same behaviour against redis-server.
 */
class RedisContainerLedgerTest {

  @Test
  void sharesStayWithinTheBudgetAndLapseAfterTheTtl() throws Exception {
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      docker = false;
    }
    Assumptions.assumeTrue(docker, "no Docker engine: the Testcontainers Redis variant is skipped "
        + "(RedisLedgerTest covers it against redis-server)");
    try (GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379)) {
      redis.start();
      Vertx vertx = Vertx.vertx();
      String address = "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
      try (RedisLedger ledger = RedisLedger.connect(vertx,
          new RedisSettings(address, Duration.ofSeconds(2), "tc:", Duration.ofMillis(500), 1))) {
        assertThat(ledger.lease("p", "pod", "a", 800, 0, 0, 1000).toCompletableFuture().get(10, TimeUnit.SECONDS)
            .granted()).isEqualTo(800);
        assertThat(ledger.lease("p", "pod", "b", 800, 0, 0, 1000).toCompletableFuture().get(10, TimeUnit.SECONDS)
            .granted()).isEqualTo(200);
        Thread.sleep(800); // neither renews
        assertThat(ledger.total("p", "pod").toCompletableFuture().get(10, TimeUnit.SECONDS)).isZero();
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }
}

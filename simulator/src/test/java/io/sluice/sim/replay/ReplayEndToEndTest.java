package io.sluice.sim.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short replay against one emulated engine on 127.0.0.1: every request answered, sane figures. */
class ReplayEndToEndTest {
  private static Vertx engineVertx;
  private static Vertx clientVertx;
  private static EngineServer engine;

  @BeforeAll
  static void startEngine() throws Exception {
    engineVertx = Vertx.vertx();
    clientVertx = Vertx.vertx();
    engine = EngineServer.deploy(engineVertx, EngineOptions.local("qwen3-8b", 20_000, Profiles.LLAMA3_8B_A100, 10.0))
        .await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    clientVertx.close().await(10, TimeUnit.SECONDS);
    engineVertx.close().await(10, TimeUnit.SECONDS);
  }

  private static ReplayRun.Settings settings(boolean stream) {
    return new ReplayRun.Settings(Targets.of("http://127.0.0.1:" + engine.port()),
        new RequestShape("qwen3-8b", stream, RequestShape.FROM_TRACE), new Slo(2_000, 100), 64,
        Duration.ofSeconds(20), 20_000);
  }

  @Test
  void streamedReplayAnswersEveryRequestAndWritesTheCsv(@TempDir Path dir) throws Exception {
    List<Arrival> arrivals = ArrivalSchedule.build(TraceReader.read(ReplayTraceReaderTest.smallTrace()),
        OptionalDouble.of(4.0), Duration.ofMillis(2_500).toNanos(), 100);

    ReplayRun.Outcome outcome = ReplayRun.openLoop(clientVertx, settings(true), arrivals);
    ResultsCsv.write(dir.resolve("requests.csv"), outcome.results());

    assertThat(arrivals).hasSizeBetween(8, 12);
    assertThat(outcome.results()).hasSameSizeAs(arrivals).allSatisfy(r -> {
      assertThat(r.ok()).as(r.error()).isTrue();
      assertThat(r.chunks()).isEqualTo(r.outputTokens());
      assertThat(r.ttftNanos()).isPositive().isLessThanOrEqualTo(r.e2eNanos());
    });
    ReplaySummary s = outcome.summary();
    assertThat(s.failed()).isZero();
    assertThat(s.ttft().count()).isEqualTo(arrivals.size());
    assertThat(s.ttft().p50()).isGreaterThan(0).isLessThan(s.e2e().p50());
    assertThat(s.itl().count()).isEqualTo(arrivals.stream().mapToLong(a -> a.outputTokens() - 1).sum());
    assertThat(s.requestsPerSec()).isBetween(2.0, 6.0);
    List<String> csv = Files.readAllLines(dir.resolve("requests.csv"));
    assertThat(csv).hasSize(arrivals.size() + 1);
    assertThat(csv.get(0)).isEqualTo(ResultsCsv.HEADER);
    assertThat(csv.get(1)).startsWith("0,http://127.0.0.1:" + engine.port() + ",374,44,true,200,");
  }

  @Test
  void nonStreamedRequestsHaveEndToEndLatencyOnly() throws Exception {
    List<Arrival> arrivals = List.of(new Arrival(0, 0, 50, 5), new Arrival(1, 100_000_000L, 60, 6));

    ReplayRun.Outcome outcome = ReplayRun.openLoop(clientVertx, settings(false), arrivals);

    assertThat(outcome.results()).allSatisfy(r -> {
      assertThat(r.ok()).as(r.error()).isTrue();
      assertThat(r.ttftNanos()).isEqualTo(-1);
      assertThat(r.e2eNanos()).isPositive();
    });
    assertThat(outcome.summary().ttft().count()).isZero();
  }

  @Test
  void closedLoopKeepsTheConcurrencyAndStopsAtTheRequestLimit() throws Exception {
    ReplayRun.Outcome outcome = ReplayRun.closedLoop(clientVertx, settings(true), new Arrival(0, 0, 20, 4), 3,
        Duration.ofSeconds(5), 12);

    assertThat(outcome.results()).hasSize(12).allSatisfy(r -> assertThat(r.ok()).as(r.error()).isTrue());
  }

  @Test
  void anUnknownModelIsCountedByStatus() throws Exception {
    ReplayRun.Settings wrong = new ReplayRun.Settings(Targets.of("http://127.0.0.1:" + engine.port()),
        new RequestShape("no-such-model", true, RequestShape.FROM_TRACE), new Slo(2_000, 100), 8,
        Duration.ofSeconds(5), 5_000);

    ReplayRun.Outcome outcome = ReplayRun.openLoop(clientVertx, wrong, List.of(new Arrival(0, 0, 10, 2)));

    assertThat(outcome.summary().errors()).containsEntry(404, 1);
    assertThat(outcome.results().get(0).error()).contains("HTTP 404");
  }
}

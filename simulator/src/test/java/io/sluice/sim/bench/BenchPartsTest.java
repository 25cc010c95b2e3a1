package io.sluice.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.replay.Arrival;
import io.sluice.sim.replay.ReplayRun;
import io.sluice.sim.replay.RequestShape;
import io.sluice.sim.replay.Slo;
import io.sluice.sim.replay.Targets;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The parts of the benchmarks that need neither HAProxy nor nginx. */
class BenchPartsTest {

  @Test
  void cpuTimeOfThisProcessGrowsWithWork() {
    double before = ProcCpu.seconds(ProcessHandle.current());
    long x = 0;
    // 300 ms of this thread's CPU, not of wall time: on a loaded machine 300 ms of wall time
    // gave the process only 50 ms of CPU. Bounded by 20 s of wall time.
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuUntil = threads.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(300);
    long wallUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (threads.getCurrentThreadCpuTime() < cpuUntil && System.nanoTime() < wallUntil) {
      for (int i = 0; i < 10_000; i++) {
        x += Long.numberOfTrailingZeros(System.nanoTime());
      }
    }
    double after = ProcCpu.seconds(ProcessHandle.current());

    assertThat(x).isPositive();
    assertThat(after - before).isGreaterThanOrEqualTo(0.1);
  }

  @Test
  void aProcessThatIsGoneCountsZero() {
    assertThat(ProcCpu.ticks(Long.MAX_VALUE)).isZero();
  }

  @Test
  void fastBackendAnswersPlainAndStreamedRequestsAndReportsACacheSize() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      int port = FastBackend.deploy(vertx, 5).await(10, TimeUnit.SECONDS);
      DirectProxy direct = new DirectProxy(java.util.List.of("http://127.0.0.1:" + port));
      for (boolean stream : new boolean[] {false, true}) {
        ReplayRun.Outcome outcome = ReplayRun.closedLoop(vertx, new ReplayRun.Settings(Targets.of(direct.targets()),
                new RequestShape("m", stream, RequestShape.FROM_TRACE), new Slo(1_000, 100), 8, Duration.ofSeconds(5),
                5_000), new Arrival(0, 0, 16, 5), 4, Duration.ofSeconds(5), 40);

        assertThat(outcome.results()).hasSize(40).allSatisfy(r -> {
          assertThat(r.ok()).as(r.error()).isTrue();
          assertThat(r.chunks()).isEqualTo(stream ? 5 : 0);
        });
      }
      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("vllm:cache_config_info{block_size=\"16\",num_gpu_blocks=\"100000\"");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}

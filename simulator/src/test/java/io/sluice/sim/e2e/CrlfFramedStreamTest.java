package io.sluice.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.Profiles;
import io.sluice.sim.server.EngineOptions;
import io.sluice.sim.server.EngineServer;
import io.sluice.sim.server.Faults;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 (Streams): the router in front of an emulated engine that frames its stream with CRLF
 * ({@code --sse-line-end crlf}) passes each event on as it comes, hides the usage event it asked
 * for, and counts the output tokens from it.
 */
class CrlfFramedStreamTest {
  private static final int TOKENS = 30;

  @Test
  void eventsFlowOneByOneAndTheUsageEventIsHiddenAndCounted(@TempDir Path dir) throws Exception {
    try (RouterUnderTest sluice = RouterUnderTest.start(dir, vertx -> List.of(EngineServer.deploy(vertx,
            new EngineOptions("127.0.0.1", 0, RouterUnderTest.MODEL, List.of(),
                EngineConfig.of(8_000, Profiles.LLAMA3_8B_A100), 1.0, null, 7, "fixed:100",
                EngineOptions.Flavor.VLLM, Faults.NONE, EngineOptions.LineEnd.CRLF)).await(10, TimeUnit.SECONDS)),
        "budget: {tokensPerPod: 8000}\n", "")) {
      HttpResponse<InputStream> response = sluice.http.send(
          sluice.post(RouterUnderTest.chat("hello", 0, true), "x-sim-output-tokens", Integer.toString(TOKENS)),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      List<String> events = new ArrayList<>();
      List<Long> arrivals = new ArrayList<>();
      StringBuilder seen = new StringBuilder();
      byte[] read = new byte[4096];
      try (InputStream in = response.body()) {
        for (int n; (n = in.read(read)) >= 0; ) {
          seen.append(new String(read, 0, n, StandardCharsets.UTF_8));
          for (int end; (end = seen.indexOf("\r\n\r\n")) >= 0; seen.delete(0, end + 4)) {
            events.add(seen.substring(0, end));
            arrivals.add(System.nanoTime());
          }
        }
      }

      assertThat(seen.toString()).as("bytes after the last CRLF-framed event").isEmpty();
      assertThat(events).hasSize(1 + TOKENS + 1 + 1) // the role, the tokens, the finish chunk, [DONE]
          .allSatisfy(event -> assertThat(event).startsWith("data: ").doesNotContain("\"usage\""))
          .last().isEqualTo("data: [DONE]");
      // ~13 ms a decode step: a router that held the stream back would deliver it all at once.
      assertThat(TimeUnit.NANOSECONDS.toMillis(arrivals.get(arrivals.size() - 1) - arrivals.get(0)))
          .isGreaterThan(150);
      RouterUnderTest.eventually(10_000, sluice::ledgerEmpty);
      assertThat(sluice.metric("sluice_estimate_ratio_count", "part", "output")).as("output tokens observed")
          .isEqualTo(1);
      sluice.assertEndsClean(1);
    }
  }
}

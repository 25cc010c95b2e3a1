package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading cannot pin the budget (issue 21.5), and a request cannot run past
 * {@code maxStreamDuration}.
 */
class SlowClientTest {
  private static final String STREAM = "{\"model\":\"m1\",\"stream\":true,\"max_tokens\":4000,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private static String config(FakeEngine engine, String settings) {
    return RouterHarness.config("m1", List.of(engine.url()), """
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec: {%s}
        """.formatted(settings));
  }

  @Test
  void aStreamWhoseClientStopsReadingIsEndedAndItsTokensReleased() throws Exception {
    // issue 21.5: two streams whose client never read held both pods' budget for as long as they
    // stayed open (120 s tried), past the idle timeout; everyone else got queue_timeout
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      engine.streamTokens = 4000;
      engine.tokenPadding = 4000; // 16 MB in all: far more than the sockets' buffers hold
      engine.tokenIntervalMs = 1;
      harness.start(config(engine, "clientWriteTimeout: 1s, idleTimeout: 1m"));
      PoolRuntime pool = harness.router.pools().forModel("m1");
      try (Socket reader = new Socket()) {
        reader.setReceiveBufferSize(4096);
        reader.connect(new java.net.InetSocketAddress("127.0.0.1", harness.router.port()));
        reader.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            + "content-length: " + STREAM.length() + "\r\n\r\n" + STREAM).getBytes(StandardCharsets.UTF_8));
        RouterHarness.eventually(() -> pool.admission().reservedTokens() > 0);
        long start = System.nanoTime();
        // Never read: the router must let go on its own while the client keeps the connection.
        RouterHarness.eventually(() -> pool.admission().reservedTokens() == 0 && pool.admission().inFlight() == 0);
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms until released").isLessThan(9_000);
        assertThat(engine.streamsCompleted).as("the pod stopped generating for nobody").hasValue(0);
        RouterHarness.eventually(() -> engine.streamsClosedEarly.get() == 1);
      }
      assertThat(harness.get(harness.adminUrl() + "/metrics").body())
          .contains("sluice_stream_cutoffs_total{pool=\"pool-a\",reason=\"client_write_timeout\"} 1.0");
      // Everyone else is served meanwhile and after.
      assertThat(harness.postJson("/v1/chat/completions",
          "{\"model\":\"m1\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void aStreamPastMaxStreamDurationEndsWithAnErrorEvent() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      engine.streamTokens = 200;
      engine.tokenIntervalMs = 50; // 10 s of stream
      harness.start(config(engine, "maxStreamDuration: 1s"));
      long start = System.nanoTime();
      HttpResponse<String> response = harness.postJson("/v1/chat/completions", STREAM);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(millis).isBetween(900L, 5_000L);
      assertThat(response.body()).contains("\"code\":\"max_stream_duration\"").doesNotContain("[DONE]");
      RouterHarness.eventually(() -> harness.router.pools().forModel("m1").admission().reservedTokens() == 0);
    }
  }

  @Test
  void anAnswerNotBegunByMaxStreamDurationIs504() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
      engine.mode = FakeEngine.Mode.STALL;
      harness.start(config(engine, "maxStreamDuration: 1s"));
      HttpResponse<String> response = harness.postJson("/v1/chat/completions",
          "{\"model\":\"m1\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      assertThat(response.statusCode()).isEqualTo(504);
      assertThat(response.body()).contains("\"code\":\"max_stream_duration\"");
      assertThat(engine.received).as("not retried elsewhere").hasSize(1);
      RouterHarness.eventually(() -> harness.router.pools().forModel("m1").admission().reservedTokens() == 0);
    }
  }
}

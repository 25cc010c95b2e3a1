package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client that goes away mid-stream makes the router close the upstream request. */
class ClientDisconnectTest {

  @Test
  void disconnectMidStreamCancelsTheUpstreamRequest() throws Exception {
    try (RouterHarness harness = new RouterHarness()) {
      FakeEngine engine = new FakeEngine(harness.vertx, "slow").start();
      engine.streamTokens = 1000;
      engine.tokenIntervalMs = 20;
      harness.start(RouterHarness.config("m1", List.of(engine.url()), ""));

      String body = "{\"model\":\"m1\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
      try (Socket socket = new Socket("127.0.0.1", harness.router.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        int dataLines = 0;
        while (dataLines < 3) {
          String line = in.readLine();
          assertThat(line).isNotNull();
          if (line.startsWith("data: ")) {
            dataLines++;
          }
        }
      }
      // The engine sees its request closed (the router cancelled it): waited for as an event, not
      // inferred from nothing happening during a sleep.
      RouterHarness.eventually(() -> engine.streamsClosedEarly.get() == 1);
      assertThat(engine.streamsCompleted.get()).isZero();
      assertThat(engine.tokensSent.get()).as("tokens the engine sent of its 1,000").isLessThan(1000);
      RouterHarness.eventually(() -> harness.router.metrics().scrape().contains("status=\"499\""));
    }
  }
}

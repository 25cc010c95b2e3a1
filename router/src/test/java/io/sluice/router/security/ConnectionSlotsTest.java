package io.sluice.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One client must not be able to hold every connection slot (issue 21.4): silent connections are
 * closed after {@code firstRequestTimeout} and give way to new ones at the limit, the limit counts
 * what is open (not what was ever accepted), and one address may be capped.
 */
class ConnectionSlotsTest {
  private static final String CHAT = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}";
  private static final String REQUEST = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
      + "connection: close\r\ncontent-length: " + CHAT.length() + "\r\n\r\n" + CHAT;

  private static RouterHarness router(String settings) throws Exception {
    RouterHarness harness = new RouterHarness();
    FakeEngine engine = new FakeEngine(harness.vertx, "a").start();
    harness.start(RouterHarness.config("m1", List.of(engine.url()), """
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec: {%s}
        """.formatted(settings)));
    return harness;
  }

  private static Socket connect(RouterHarness harness) throws IOException {
    Socket socket = new Socket("127.0.0.1", harness.router.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static String send(Socket socket, String raw) throws IOException {
    socket.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    for (int n; (n = in.read(buffer)) > 0; ) {
      out.write(buffer, 0, n);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static double openConnections(RouterHarness harness) throws Exception {
    return harness.get(harness.adminUrl() + "/metrics").body().lines()
        .filter(l -> l.startsWith("sluice_client_connections "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).sum();
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheFirstRequestTimeout() throws Exception {
    try (RouterHarness harness = router("firstRequestTimeout: 1s, clientIdleTimeout: 1m");
        Socket silent = connect(harness)) {
      long start = System.nanoTime();
      assertThat(silent.getInputStream().read()).isEqualTo(-1);
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(800L, 5_000L);
    }
  }

  @Test
  void atTheLimitANewConnectionTakesTheSlotOfOneThatSentNothing() throws Exception {
    // issue 21.4: 4,096 connections that never sent anything locked everyone else out
    try (RouterHarness harness = router("maxConnections: 4, firstRequestTimeout: 1m, clientIdleTimeout: 1m")) {
      List<Socket> silent = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          silent.add(connect(harness));
        }
        RouterHarness.eventually(() -> {
          try {
            return openConnections(harness) == 4;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
        Thread.sleep(1_100); // old enough to have sent a request if they meant to
        for (int i = 0; i < 3; i++) {
          try (Socket client = connect(harness)) {
            assertThat(send(client, REQUEST)).startsWith("HTTP/1.1 200");
          }
        }
        assertThat(silent.get(0).getInputStream().read()).as("the oldest silent connection made room").isEqualTo(-1);
      } finally {
        for (Socket socket : silent) {
          socket.close();
        }
      }
    }
  }

  @Test
  void atTheLimitWithEveryConnectionBusyANewOneIsClosed() throws Exception {
    try (RouterHarness harness = router("maxConnections: 2, requestTimeout: 1m")) {
      String headersOnly = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
          + "content-length: " + CHAT.length() + "\r\n\r\n" + CHAT.substring(0, 5); // body never finished
      try (Socket a = connect(harness); Socket b = connect(harness)) {
        a.getOutputStream().write(headersOnly.getBytes(StandardCharsets.UTF_8));
        b.getOutputStream().write(headersOnly.getBytes(StandardCharsets.UTF_8));
        Thread.sleep(300); // both requests are in flight
        try (Socket extra = connect(harness)) {
          assertThat(extra.getInputStream().read()).isEqualTo(-1);
        }
      }
    }
  }

  @Test
  void aConnectAndResetFloodDoesNotLockOutOtherClients() throws Exception {
    // issue 21.4: a connect-and-reset flood tripped the limit with 4 sockets really open, because
    // connections that were already reset still counted until their close was handled
    try (RouterHarness harness = router("maxConnections: 64")) {
      java.util.concurrent.atomic.AtomicBoolean flooding = new java.util.concurrent.atomic.AtomicBoolean(true);
      List<Thread> flood = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread thread = new Thread(() -> {
          for (int i = 0; i < 2_000 && flooding.get(); i++) {
            try {
              Socket socket = new Socket("127.0.0.1", harness.router.port());
              socket.setSoLinger(true, 0); // close sends a reset
              socket.close();
            } catch (IOException refused) {
              // the backlog is full for a moment
            }
          }
        });
        thread.start();
        flood.add(thread);
      }
      int served = 0;
      try {
        Thread.sleep(200); // the flood is on
        for (int i = 0; i < 20; i++) {
          try (Socket client = connect(harness)) {
            served += send(client, REQUEST).startsWith("HTTP/1.1 200") ? 1 : 0;
          } catch (IOException reset) {
            // refused: counted as not served
          }
        }
      } finally {
        flooding.set(false);
        for (Thread thread : flood) {
          thread.join();
        }
      }
      // The count lags the resets by what the event loop has not read yet, so some may be refused
      // while the flood lasts: 17-19 of 20 when this class runs alone on the 2-core machine, 7 and
      // once 0 inside the whole suite, where the four flooding threads starve the router's event
      // loop. How many get in during the flood measures the machine, not the fix, so it is printed,
      // not asserted. The regression (the limit stayed tripped, counting reset sockets as open) is
      // what follows: the count returns to 0 and every client is served.
      System.out.println("served during a connect-and-reset flood: " + served + " of 20");
      RouterHarness.eventually(() -> {
        try {
          return openConnections(harness) == 0;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      for (int i = 0; i < 5; i++) {
        try (Socket client = connect(harness)) {
          assertThat(send(client, REQUEST)).as("served after the flood").startsWith("HTTP/1.1 200");
        }
      }
    }
  }

  @Test
  void oneAddressMayBeCapped() throws Exception {
    try (RouterHarness harness = router("maxConnectionsPerAddress: 2");
        Socket a = connect(harness); Socket b = connect(harness); Socket c = connect(harness)) {
      assertThat(c.getInputStream().read()).as("a third connection from 127.0.0.1").isEqualTo(-1);
      a.close();
      RouterHarness.eventually(() -> {
        try {
          return openConnections(harness) == 1;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      try (Socket again = connect(harness)) {
        assertThat(send(again, REQUEST)).startsWith("HTTP/1.1 200");
      }
    }
  }
}

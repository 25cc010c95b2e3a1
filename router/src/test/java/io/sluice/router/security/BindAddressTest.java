package io.sluice.router.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.router.SluiceServer;
import io.sluice.router.config.ConfigLoader;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * issue 16: {@code serve --host 127.0.0.1} bound every interface (Vert.x's one-argument {@code
 * listen(port)} ignores the host of the server options). The check: on Linux every 127.x.y.z
 * address reaches the loopback interface, so a socket bound to 127.0.0.1 refuses 127.0.0.2 and
 * one bound to every interface accepts it.
 */
class BindAddressTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private SluiceServer start(SluiceServer.Options options) throws Exception {
    ConfigLoader.Result loaded = ConfigLoader.parse(RouterHarness.config("m", List.of("http://127.0.0.1:1"), ""),
        "test.yaml");
    return SluiceServer.start(vertx, loaded.config(), options).await(10, TimeUnit.SECONDS);
  }

  private static boolean accepts(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  @Test
  void bothPortsBindOnlyTheAddressAskedFor() throws Exception {
    assumeTrue(accepts127002(), "127.0.0.2 does not reach the loopback interface here (not Linux?)");
    SluiceServer router = start(new SluiceServer.Options("127.0.0.1", 0, 0, 1));
    assertThat(accepts("127.0.0.1", router.port())).as("data port on 127.0.0.1").isTrue();
    assertThat(accepts("127.0.0.1", router.adminPort())).as("admin port on 127.0.0.1").isTrue();
    assertThat(accepts("127.0.0.2", router.port())).as("data port on another address").isFalse();
    assertThat(accepts("127.0.0.2", router.adminPort())).as("admin port on another address").isFalse();
  }

  @Test
  void theAdminPortMayBindAnotherAddressThanTheDataPort() throws Exception {
    assumeTrue(accepts127002(), "127.0.0.2 does not reach the loopback interface here (not Linux?)");
    SluiceServer router = start(new SluiceServer.Options("0.0.0.0", 0, "127.0.0.1", 0, 1));
    assertThat(accepts("127.0.0.2", router.port())).as("data port on every interface").isTrue();
    assertThat(accepts("127.0.0.2", router.adminPort())).as("admin port on 127.0.0.1 only").isFalse();
    assertThat(accepts("127.0.0.1", router.adminPort())).isTrue();
  }

  @Test
  void aPortInUseIsNamedInTheError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> start(new SluiceServer.Options("127.0.0.1", port, 0, 1)))
          .hasMessageContaining("data port 127.0.0.1:" + port)
          .hasMessageContaining("--port");
      assertThatThrownBy(() -> start(new SluiceServer.Options("127.0.0.1", 0, port, 1)))
          .hasMessageContaining("admin port 127.0.0.1:" + port)
          .hasMessageContaining("--admin-port");
    }
  }

  /** Whether this machine routes 127.0.0.2 to loopback (Linux does). */
  private static boolean accepts127002() {
    try (ServerSocket any = new ServerSocket(0)) {
      return accepts("127.0.0.2", any.getLocalPort());
    } catch (IOException e) {
      return false;
    }
  }
}

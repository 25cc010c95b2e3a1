package io.sluice.sim.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * HAProxy (the Debian package) as a child process on 127.0.0.1, HTTP mode, keep-alive to the
 * backends, with a generated configuration: {@code balance leastconn} or {@code roundrobin}, and
 * {@code option http-no-delay} (without it HAProxy holds small stream chunks back to fill packets).
 */
public final class HaproxyProxy extends ProcessProxy {
  private HaproxyProxy(ChildProcess child, int port, String balance) {
    super(child, port, "HAProxy " + balance);
  }

  /** Null when no haproxy binary is installed. */
  public static HaproxyProxy startOrNull(Path dir, List<String> backends, String balance, int threads)
      throws IOException, InterruptedException {
    Path binary = ChildProcess.find("haproxy");
    if (binary == null) {
      return null;
    }
    int port = FreePort.pick();
    StringBuilder cfg = new StringBuilder("""
        global
          maxconn 8000
          nbthread %d
        defaults
          mode http
          option http-keep-alive
          option http-no-delay
          timeout connect 5s
          timeout client 300s
          timeout server 300s
        frontend bench
          bind 127.0.0.1:%d
          default_backend engines
        backend engines
          balance %s
          http-reuse always
        """.formatted(threads, port, balance));
    for (int i = 0; i < backends.size(); i++) {
      URI b = URI.create(backends.get(i));
      cfg.append("  server e%d %s:%d maxconn 4000%n".formatted(i, b.getHost(), b.getPort()));
    }
    Files.createDirectories(dir);
    Path file = Files.writeString(dir.resolve("haproxy.cfg"), cfg);
    ChildProcess child = ChildProcess.start("haproxy",
        List.of(binary.toString(), "-db", "-f", file.toString()), dir.resolve("haproxy.log"));
    child.awaitPort(port, 10_000);
    return new HaproxyProxy(child, port, balance);
  }
}

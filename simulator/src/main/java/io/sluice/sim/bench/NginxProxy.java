package io.sluice.sim.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * nginx (the Debian package) as a child process on 127.0.0.1 with a generated configuration:
 * {@code least_conn} upstream with keep-alive connections, response buffering off (as SSE needs),
 * no access log.
 */
public final class NginxProxy extends ProcessProxy {
  private NginxProxy(ChildProcess child, int port) {
    super(child, port, "nginx least_conn");
  }

  /** Null when no nginx binary is installed. */
  public static NginxProxy startOrNull(Path dir, List<String> backends, int workers)
      throws IOException, InterruptedException {
    Path binary = ChildProcess.find("nginx");
    if (binary == null) {
      return null;
    }
    int port = FreePort.pick();
    Path abs = dir.toAbsolutePath();
    Files.createDirectories(abs.resolve("tmp"));
    StringBuilder servers = new StringBuilder();
    for (String backend : backends) {
      URI b = URI.create(backend);
      servers.append("    server %s:%d;%n".formatted(b.getHost(), b.getPort()));
    }
    String cfg = """
        worker_processes %d;
        pid %s/nginx.pid;
        error_log %s/nginx-error.log warn;
        events { worker_connections 8000; }
        http {
          access_log off;
          client_body_temp_path %s/tmp/body;
          proxy_temp_path %s/tmp/proxy;
          fastcgi_temp_path %s/tmp/fastcgi;
          uwsgi_temp_path %s/tmp/uwsgi;
          scgi_temp_path %s/tmp/scgi;
          upstream engines {
            least_conn;
        %s    keepalive 512;
          }
          server {
            listen 127.0.0.1:%d;
            client_max_body_size 64m;
            client_body_buffer_size 1m;
            location / {
              proxy_pass http://engines;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_buffering off;
              proxy_read_timeout 300s;
            }
          }
        }
        """.formatted(workers, abs, abs, abs, abs, abs, abs, abs, servers, port);
    Path file = Files.writeString(abs.resolve("nginx.conf"), cfg);
    ChildProcess child = ChildProcess.start("nginx",
        List.of(binary.toString(), "-p", abs.toString(), "-c", file.toString(), "-g", "daemon off;"),
        abs.resolve("nginx.log"));
    child.awaitPort(port, 10_000);
    return new NginxProxy(child, port);
  }
}

package io.sluice.sim.bench;

import io.sluice.router.runtime.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Sluice router as a child JVM ({@code io.sluice.router.cli.Main serve}, from the classpath of
 * this process, which shades the router), on 127.0.0.1, one pool over the backends with
 * {@code tokensPerPod: auto}. Ready once every pod's budget has been read from its metrics.
 */
public final class SluiceProxy extends ProcessProxy {
  private final ChildProcess child;
  private final int adminPort;

  private SluiceProxy(ChildProcess child, int port, int adminPort) {
    super(child, port, "Sluice");
    this.child = child;
    this.adminPort = adminPort;
  }

  /** The router's admin port (/metrics). */
  public int adminPort() {
    return adminPort;
  }

  /** The router process's id (for jcmd). */
  public long pid() {
    return child.pid();
  }

  /**
   * @param model       the pool's model name
   * @param extraSpec   YAML lines appended to the ModelPool spec (indented two spaces), or empty
   * @param accessLog   keep the router's per-request access log (its default) or turn it off
   */
  public static SluiceProxy start(Path dir, List<String> backends, String model, String extraSpec, boolean accessLog,
                                  int eventLoops) throws IOException, InterruptedException {
    return start(dir, backends, model, extraSpec, accessLog, eventLoops, "");
  }

  /**
   * @param extraSettings YAML lines appended to the RouterSettings spec (indented two spaces), or empty
   */
  public static SluiceProxy start(Path dir, List<String> backends, String model, String extraSpec, boolean accessLog,
                                  int eventLoops, String extraSettings) throws IOException, InterruptedException {
    int port = FreePort.pick();
    int adminPort = FreePort.pick();
    String yaml = """
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: bench}
        spec:
          models: [%s]
          endpoints: [%s]
          engine: vllm
        %s---
        apiVersion: sluice.io/v1alpha1
        kind: RouterSettings
        metadata: {name: settings}
        spec:
          accessLog: %b
        %s""".formatted(model, backends.stream().map(b -> "\"" + b + "\"").collect(Collectors.joining(", ")),
        extraSpec, accessLog, extraSettings);
    Files.createDirectories(dir);
    Path config = Files.writeString(dir.resolve("sluice.yaml"), yaml);
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    // Extra JVM flags for the router only, e.g. -Dsluice.bench.jvmArgs=-XX:StartFlightRecording=... to profile it.
    String jvmArgs = System.getProperty("sluice.bench.jvmArgs", "").trim();
    if (!jvmArgs.isEmpty()) {
      command.addAll(List.of(jvmArgs.split("\\s+")));
    }
    command.addAll(List.of(
        "-cp", System.getProperty("java.class.path"), "io.sluice.router.cli.Main", "serve",
        "--config", config.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--admin-port", Integer.toString(adminPort), "--event-loops", Integer.toString(eventLoops),
        "--log-level", "warn"));
    ChildProcess child = ChildProcess.start("sluice", command, dir.resolve("sluice.log"));
    child.awaitPort(port, 30_000);
    child.awaitPort(adminPort, 10_000);
    awaitBudgets(adminPort, backends.size(), dir);
    return new SluiceProxy(child, port, adminPort);
  }

  private static void awaitBudgets(int adminPort, int pods, Path dir) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build();
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      long known = PrometheusText.parse(http.send(metrics, HttpResponse.BodyHandlers.ofString()).body())
          .samples("sluice_pod_budget_tokens").stream().filter(s -> s.value() > 0).count();
      if (known >= pods) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IOException("sluice: pod budgets not known after 15 s; see " + dir.resolve("sluice.log"));
  }
}

package io.sluice.sim.e2e;

import io.sluice.sim.Prerequisites;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, end to end in a browser: {@code src/test/ui/dashboard.mjs} opens the router's {@code /ui}
 * in headless Chromium (Playwright driving Debian's {@code /usr/bin/chromium}), checks the pods of
 * the running router are shown, sends streamed requests and checks the page updates, and writes
 * {@code target/ui-screenshot.png}. Without chromium, node or the script's {@code node_modules} it
 * skips and says why, except under {@code CI=true}, where that is a failure.
 */
class DashboardBrowserTest {
  private static final Path SCRIPTS = Path.of("src/test/ui");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final long TIMEOUT_SECONDS = 120;

  @TempDir
  Path dir;

  @Test
  void pageShowsThePodsAndUpdatesUnderLoad() throws Exception {
    Prerequisites.require(!Files.isExecutable(CHROMIUM) ? CHROMIUM + " is missing (apt-get install -y chromium)"
        : Prerequisites.nodePackage(SCRIPTS));

    try (RouterUnderTest sluice = RouterUnderTest.start(dir, vertx -> EmulatedEngines.deploy(vertx, 2, 8_000, 1.0),
        "budget: {tokensPerPod: 8000}\n", "")) {
      Path screenshot = Path.of("target/ui-screenshot.png").toAbsolutePath();
      Files.createDirectories(screenshot.getParent());
      Process p = new ProcessBuilder("node", "dashboard.mjs", "http://127.0.0.1:" + sluice.router.adminPort(),
          "http://127.0.0.1:" + sluice.port(), RouterUnderTest.MODEL, screenshot.toString(), CHROMIUM.toString())
          .directory(SCRIPTS.toFile()).start();
      p.getOutputStream().close();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("dashboard.mjs did not end within " + TIMEOUT_SECONDS + " s; stderr:\n"
            + err.getNow(""));
      }
      assertThat(p.exitValue()).as("stderr:\n" + err.get()).isZero();
      String stdout = out.get().strip();
      JsonObject seen = new JsonObject(stdout.substring(stdout.lastIndexOf('\n') + 1));
      assertThat(seen.getJsonArray("pods").getList()).as(stdout)
          .containsExactlyInAnyOrderElementsOf(sluice.engines.stream().map(RouterUnderTest::podId).toList());
      assertThat(seen.getLong("decisionsAfter")).as(stdout).isGreaterThanOrEqualTo(seen.getLong("decisionsBefore") + 16);
      assertThat(seen.getInteger("decisionRows")).as(stdout).isGreaterThanOrEqualTo(16);
      assertThat(seen.getString("firstDecision")).as(stdout).startsWith("ui-");
      assertThat(seen.getString("firstScores")).as(stdout).contains("token-budget");
      assertThat(seen.getBoolean("sawReserved")).as("reserved tokens shown while streams ran: " + stdout).isTrue();
      assertThat(seen.getJsonArray("errors")).as(stdout).isEmpty();
      assertThat(Files.size(screenshot)).isPositive();
    }
  }


  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.sluice.sim;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (node and a script package's node_modules, Chromium, files
 * from ../shared): without it the test is reported skipped with the reason, except under
 * {@code CI=true}, where CI has installed it and its absence is a failure.
 */
public final class Prerequisites {
  private Prerequisites() {}

  /** Skips the calling test with {@code missing} as the reason, or fails it under CI=true; nothing when null. */
  public static void require(String missing) {
    if (missing == null) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(missing + "; CI=true, so this test must run, not skip");
    }
    Assumptions.assumeTrue(false, "skipped: " + missing);
  }

  /** Why the node scripts in {@code scripts} cannot run (no node, or no node_modules there); null when they can. */
  public static String nodePackage(Path scripts) {
    if (!onPath("node")) {
      return "node is not on the PATH";
    }
    return Files.isDirectory(scripts.resolve("node_modules")) ? null
        : "no " + scripts.resolve("node_modules") + " (run: npm ci --prefix simulator/" + scripts + ")";
  }

  static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}

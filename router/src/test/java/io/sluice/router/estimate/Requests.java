package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.router.api.ApiKind;
import io.sluice.router.api.InferenceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Request bodies for estimation tests. */
final class Requests {
  static final ObjectMapper JSON = new ObjectMapper();
  /** The real Qwen3 tokenizer files, relative to the router module. */
  static final Path QWEN3 = Path.of("../../shared/tokenizers/qwen3/tokenizer.json");

  private Requests() {}

  /**
   * Skips the calling test when the real Qwen3 files are absent (a clone without ../shared), or
   * fails it under {@code CI=true}, where they must be there: a skipped ground truth is no test.
   */
  static void requireQwen3(String what) {
    require(qwen3Present(), "Qwen3 tokenizer files not found at " + QWEN3.toAbsolutePath()
        + " (shared/tokenizers/qwen3 beside the repository)", what);
  }

  /**
   * Skips the calling test, saying {@code why}, when a file it needs is not {@code present}; under
   * {@code CI=true}, where .ci/run provides it, fails instead.
   */
  static void require(boolean present, String why, String what) {
    if (present) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(why + "; CI=true, so " + what + " must run, not skip");
    }
    org.junit.jupiter.api.Assumptions.abort(why + "; skipping " + what);
  }

  static InferenceRequest chat(String json) {
    return of(ApiKind.CHAT, json);
  }

  static InferenceRequest of(ApiKind kind, String json) {
    try {
      ObjectNode body = (ObjectNode) JSON.readTree(json);
      if (!body.has("model")) {
        body.put("model", "m");
      }
      return new InferenceRequest(kind, body.get("model").asText(), false, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InferenceRequest chat(ObjectNode body) {
    ObjectNode copy = body.deepCopy();
    copy.put("model", "m");
    return new InferenceRequest(ApiKind.CHAT, "m", false, copy);
  }

  static boolean qwen3Present() {
    return Files.isRegularFile(QWEN3) && Files.isRegularFile(QWEN3.resolveSibling("tokenizer_config.json"));
  }
}

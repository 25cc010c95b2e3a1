package io.sluice.sim.e2e;

import io.sluice.sim.Prerequisites;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: the clients people use — the official {@code openai} npm client, the Vercel AI SDK
 * and LangChain JS — against the router in front of the engine emulator. Each client is a script
 * under {@code src/test/js} that prints its results as JSON; without node or without
 * {@code npm ci} having run there the test skips and says why, except under {@code CI=true}, where
 * that is a failure.
 */
class NpmClientsTest {
  private static final Path SCRIPTS = Path.of("src/test/js");
  private static final long TIMEOUT_SECONDS = 120;

  @TempDir
  static Path dir;
  private static RouterUnderTest sluice;

  /** Why the clients cannot run here, or null. */
  private static String missing;

  @BeforeAll
  static void start() throws Exception {
    missing = Prerequisites.nodePackage(SCRIPTS);
    if (missing != null) {
      return; // each test reports it: skipped with the reason, or failed under CI=true
    }
    sluice = RouterUnderTest.start(dir, vertx -> EmulatedEngines.deploy(vertx, 1, 32_000, 50.0),
        "budget: {tokensPerPod: 32000}\n", "");
  }

  @AfterAll
  static void stop() throws Exception {
    if (sluice != null) {
      sluice.close();
    }
  }


  /** Runs one client script against the router; its stdout is one JSON object of results. */
  private static JsonObject runScript(String script) throws Exception {
    Process p = new ProcessBuilder("node", script, "http://127.0.0.1:" + sluice.port(), RouterUnderTest.MODEL)
        .directory(SCRIPTS.toFile()).redirectErrorStream(false).start();
    p.getOutputStream().close();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not end within " + TIMEOUT_SECONDS + " s; stderr:\n" + err.getNow(""));
    }
    String stdout = out.get(10, TimeUnit.SECONDS);
    assertThat(p.exitValue()).as("%s exit code; stdout:\n%s\nstderr:\n%s", script, stdout, err.get(10, TimeUnit.SECONDS))
        .isZero();
    String[] lines = stdout.strip().split("\n");
    System.out.println(script + ": " + lines[lines.length - 1]);
    return new JsonObject(lines[lines.length - 1]);
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  @org.junit.jupiter.api.BeforeEach
  void clientsInstalled() {
    Prerequisites.require(missing);
  }

  /** Every reservation the client's calls took is back: usage of n choices and tool calls reconciled. */
  @org.junit.jupiter.api.AfterEach
  void ledgerBackToZero() throws Exception {
    if (sluice == null) {
      return;
    }
    assertThat(RouterUnderTest.eventually(10_000, sluice::ledgerEmpty)).as("router ledger empty").isTrue();
  }

  private static void weatherCall(SoftAssertions soft, String what, JsonObject call) {
    soft.assertThat(call.getString("name")).as(what + " name").isEqualTo("get_weather");
    soft.assertThat(call.getString("id")).as(what + " id").startsWith("chatcmpl-tool-");
    JsonObject args = call.getJsonObject("arguments");
    soft.assertThat(args.getValue("city")).as(what + " city").isInstanceOf(String.class);
    soft.assertThat(args.getString("unit")).as(what + " unit").isIn("celsius", "fahrenheit");
    soft.assertThat(args.getInteger("days")).as(what + " days").isBetween(1, 7);
  }

  /** The emulator's vectors are unit vectors of 32 floats. */
  private static void unitVector(SoftAssertions soft, String what, JsonObject e) {
    soft.assertThat(e.getInteger("dims")).as(what + " dims").isEqualTo(32);
    soft.assertThat(e.getDouble("norm")).as(what + " norm").isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
  }

  @Test
  void openAiNpmClient() throws Exception {
    JsonObject r = runScript("openai.mjs");
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(r.getJsonObject("chat").getString("content")).isNotBlank();
    soft.assertThat(r.getJsonObject("chat").getString("finish")).isEqualTo("length");
    soft.assertThat(r.getJsonObject("chat").getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(8);
    soft.assertThat(r.getJsonObject("chatStream").getString("content")).isNotBlank();
    soft.assertThat(r.getJsonObject("chatStream").getString("finish")).isEqualTo("length");
    soft.assertThat(r.getJsonObject("chatStream").getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(8);
    soft.assertThat(r.getJsonObject("tools").getString("finish")).isEqualTo("tool_calls");
    weatherCall(soft, "tools", r.getJsonObject("tools"));
    soft.assertThat(r.getJsonObject("toolsStream").getString("finish")).isEqualTo("tool_calls");
    weatherCall(soft, "toolsStream", r.getJsonObject("toolsStream"));
    soft.assertThat(r.getJsonObject("n2").getJsonArray("indexes")).isEqualTo(new JsonArray().add(0).add(1));
    soft.assertThat(r.getJsonObject("n2").getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(12);
    soft.assertThat(r.getJsonObject("jsonMode").getJsonObject("parsed").getString("answer")).isNotBlank();
    unitVector(soft, "embeddings", r.getJsonObject("embeddings"));
    soft.assertThat(r.getJsonObject("embeddings").getInteger("count")).isEqualTo(2);
    // The base64 default decodes to the very floats the float encoding sends.
    JsonArray b64 = r.getJsonObject("embeddings").getJsonArray("first");
    JsonArray floats = r.getJsonObject("embeddingsFloat").getJsonArray("first");
    for (int i = 0; i < 4; i++) {
      soft.assertThat(b64.getDouble(i)).isCloseTo(floats.getDouble(i), org.assertj.core.data.Offset.offset(1e-6));
    }
    soft.assertThat(r.getJsonObject("models").getJsonArray("ids").getList()).contains(RouterUnderTest.MODEL);
    soft.assertThat(r.getJsonObject("modelsRetrieve").getString("id")).isEqualTo(RouterUnderTest.MODEL);
    soft.assertThat(r.getJsonObject("modelsRetrieve").getString("object")).isEqualTo("model");
    // The Responses API, plain and streamed: text, and the usage the router reconciles from.
    soft.assertThat(r.getJsonObject("responses").getString("text")).isNotBlank();
    soft.assertThat(r.getJsonObject("responses").getJsonObject("usage").getInteger("output_tokens")).isEqualTo(8);
    soft.assertThat(r.getJsonObject("responsesStream").getString("text")).isNotBlank();
    soft.assertThat(r.getJsonObject("responsesStream").getInteger("deltas")).isEqualTo(8);
    soft.assertThat(r.getJsonObject("responsesStream").getJsonObject("usage").getInteger("output_tokens")).isEqualTo(8);
    soft.assertAll();
  }

  @Test
  void vercelAiSdk() throws Exception {
    JsonObject r = runScript("vercel-ai.mjs");
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(r.getJsonObject("chat").getString("content")).isNotBlank();
    soft.assertThat(r.getJsonObject("chat").getString("finish")).isEqualTo("length");
    soft.assertThat(r.getJsonObject("chatStream").getString("content")).isNotBlank();
    soft.assertThat(r.getJsonObject("tools").getString("finish")).isEqualTo("tool-calls");
    weatherCall(soft, "tools", r.getJsonObject("tools"));
    soft.assertThat(r.getJsonObject("toolsStream").getString("finish")).isEqualTo("tool-calls");
    weatherCall(soft, "toolsStream", r.getJsonObject("toolsStream"));
    JsonObject city = r.getJsonObject("jsonMode").getJsonObject("parsed");
    soft.assertThat(city.getValue("name")).isInstanceOf(String.class);
    soft.assertThat(city.getInteger("population")).isNotNegative();
    soft.assertThat(city.getValue("tags")).isInstanceOf(JsonArray.class);
    unitVector(soft, "embeddings", r.getJsonObject("embeddings"));
    // openai(model), the SDK's default: the Responses API.
    soft.assertThat(r.getJsonObject("responses").getString("content")).isNotBlank();
    soft.assertThat(r.getJsonObject("responsesStream").getString("content")).isNotBlank();
    soft.assertAll();
  }

  @Test
  void langChainJs() throws Exception {
    JsonObject r = runScript("langchain.mjs");
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(r.getJsonObject("chat").getString("content")).isNotBlank();
    soft.assertThat(r.getJsonObject("chat").getString("finish")).isEqualTo("length");
    soft.assertThat(r.getJsonObject("chatStream").getString("content")).isNotBlank();
    soft.assertThat(r.getJsonObject("tools").getString("finish")).isEqualTo("tool_calls");
    weatherCall(soft, "tools", r.getJsonObject("tools"));
    weatherCall(soft, "toolsStream", r.getJsonObject("toolsStream"));
    soft.assertThat(r.getJsonObject("n2").getInteger("count")).isEqualTo(2);
    soft.assertThat(r.getJsonObject("jsonMode").getJsonObject("parsed").getString("answer")).isNotBlank();
    soft.assertThat(r.getJsonObject("structured").getJsonObject("parsed").getValue("name")).isInstanceOf(String.class);
    soft.assertThat(r.getJsonObject("structured").getJsonObject("parsed").getInteger("population")).isNotNegative();
    unitVector(soft, "embeddings", r.getJsonObject("embeddings"));
    soft.assertThat(r.getJsonObject("responses").getString("content")).as("useResponsesApi").isNotBlank();
    soft.assertThat(r.getJsonObject("responses").getJsonObject("usage").getInteger("output_tokens")).isEqualTo(8);
    soft.assertThat(r.getJsonObject("responsesStream").getString("content")).as("useResponsesApi, streamed").isNotBlank();
    soft.assertAll();
  }
}

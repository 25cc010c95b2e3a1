package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: a chat the model's template refuses (Gemma 3's raises on a {@code tool} message) is the
 * 400 vLLM would answer, sent before anything is reserved and without troubling a pod; a chat it
 * accepts is counted through that template and forwarded. The pool names its template file
 * ({@code tokenizer.chatTemplate}), here Gemma 3's beside the small Qwen3 tokenizer fixture.
 */
class ChatTemplateRefusalTest {
  private static final Path TOKENIZER = Path.of("src/test/resources/estimate/qwen3-mini/tokenizer.json");
  private static final Path GEMMA3 = Path.of("src/test/resources/estimate/chat-templates/gemma3.jinja");
  private static RouterHarness harness;
  private static FakeEngine engine;

  @BeforeAll
  static void start() throws Exception {
    harness = new RouterHarness();
    engine = new FakeEngine(harness.vertx, "e1").start();
    harness.start("""
        apiVersion: sluice.io/v1alpha1
        kind: ModelPool
        metadata: {name: pool-a}
        spec:
          models: [gemma]
          endpoints: ["%s"]
          engine: vllm
          budget: {tokensPerPod: 100000}
          tokenizer: {type: huggingface, path: "%s", chatTemplate: "%s"}
        """.formatted(engine.url(), TOKENIZER.toAbsolutePath(), GEMMA3.toAbsolutePath()));
  }

  @AfterAll
  static void stop() throws Exception {
    engine.close();
    harness.close();
  }

  @Test
  void aChatTheTemplateRaisesOnIsA400AndReachesNoPod() throws Exception {
    engine.received.clear();
    HttpResponse<String> response = harness.postJson("/v1/chat/completions", """
        {"model": "gemma", "messages": [
          {"role": "user", "content": "Weather?"},
          {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}}]},
          {"role": "tool", "tool_call_id": "c1", "content": "12 C"}]}""");
    assertThat(response.statusCode()).isEqualTo(400);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("message")).isEqualTo("Conversation roles must alternate user/assistant/user/assistant/...");
    assertThat(error.containsKey("param")).isTrue();
    assertThat(error.containsKey("code")).isTrue();
    assertThat(engine.received).isEmpty();
    assertThat(harness.router.pools().forModel("gemma").admission().reservedTokens()).isZero();
  }

  @Test
  void askingForAGenerationPromptAndAContinuationIsA400() throws Exception {
    engine.received.clear();
    HttpResponse<String> response = harness.postJson("/v1/chat/completions", """
        {"model": "gemma", "continue_final_message": true, "messages": [
          {"role": "user", "content": "Say hi"}, {"role": "assistant", "content": "Hi, I"}]}""");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(response.body()).getJsonObject("error").getString("param"))
        .isEqualTo("continue_final_message");
    assertThat(engine.received).isEmpty();
  }

  @Test
  void askingForAnotherTemplateThroughTheKwargsIsA400AsInVllm() throws Exception {
    engine.received.clear();
    HttpResponse<String> response = harness.postJson("/v1/chat/completions", """
        {"model": "gemma", "chat_template_kwargs": {"chat_template": "{{ 'x' }}"},
         "messages": [{"role": "user", "content": "Hi"}]}""");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(response.body()).getJsonObject("error").getString("message"))
        .isEqualTo("Found unexpected chat template kwargs from request: {'chat_template'}");
    assertThat(engine.received).isEmpty();
  }

  @Test
  void aChatTheTemplateAcceptsIsCountedThroughItAndForwarded() throws Exception {
    engine.received.clear();
    String chat = """
        {"model": "gemma", "messages": [{"role": "system", "content": "Be brief."},
          {"role": "user", "content": "Hello!"}]}""";
    HttpResponse<String> estimate = harness.http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(harness.adminUrl() + "/estimate"))
        .header("content-type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(chat)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(estimate.statusCode()).as(estimate.body()).isEqualTo(200);
    // Gemma 3 merges the system message into the first user turn. Its bos_token comes from the
    // tokenizer_config.json beside the tokenizer (Qwen3's, which has none), and with the fixture's
    // byte-level vocabulary each UTF-8 byte is a token (<start_of_turn> is not a Qwen3 added token).
    String rendered = "<start_of_turn>user\nBe brief.\n\nHello!<end_of_turn>\n<start_of_turn>model\n";
    assertThat(new JsonObject(estimate.body()).getLong("promptTokens")).isEqualTo(rendered.length());
    HttpResponse<String> response = harness.postJson("/v1/chat/completions", chat);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(engine.received).hasSize(1);
    RouterHarness.eventually(() -> harness.router.pools().forModel("gemma").admission().reservedTokens() == 0);
  }
}

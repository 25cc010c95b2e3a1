package io.sluice.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import io.sluice.router.testing.FakeEngine;
import io.sluice.router.testing.RouterHarness;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK talks to the router, which forwards to two fake engines. */
class OpenAiClientEndToEndTest {
  private static RouterHarness harness;
  private static FakeEngine engineA;
  private static FakeEngine engineB;
  private static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    harness = new RouterHarness();
    engineA = new FakeEngine(harness.vertx, "a").start();
    engineB = new FakeEngine(harness.vertx, "b").start();
    harness.start(RouterHarness.config("qwen3-8b", List.of(engineA.url(), engineB.url()), ""));
    client = OpenAIOkHttpClient.builder().baseUrl(harness.baseUrl() + "/v1").apiKey("test-key").maxRetries(0).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    engineA.close();
    engineB.close();
    harness.close();
  }

  @Test
  void modelsRetrieve() {
    com.openai.models.models.Model model = client.models().retrieve("qwen3-8b");
    assertThat(model.id()).isEqualTo("qwen3-8b");
    assertThat(model.ownedBy()).isEqualTo("sluice:pool-a");
    assertThatThrownBy(() -> client.models().retrieve("nope"))
        .isInstanceOf(com.openai.errors.NotFoundException.class);
  }

  @Test
  void audioTranscriptionAsTheSdkSendsIt() {
    com.openai.models.audio.transcriptions.TranscriptionCreateResponse response = client.audio().transcriptions()
        .create(com.openai.models.audio.transcriptions.TranscriptionCreateParams.builder()
            .file("RIFF....WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .model("qwen3-8b").build());
    assertThat(response.asTranscription().text()).startsWith("hello from ");
  }

  @Test
  void chatCompletion() {
    ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("qwen3-8b").addUserMessage("Say hello").build());
    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(
        text -> assertThat(text).startsWith("hello from "));
    assertThat(completion.usage()).hasValueSatisfying(usage -> assertThat(usage.totalTokens()).isEqualTo(7));
  }

  @Test
  void completion() {
    Completion completion = client.completions().create(CompletionCreateParams.builder()
        .model("qwen3-8b").prompt("Once upon a time").maxTokens(8).build());
    assertThat(completion.choices().get(0).text()).startsWith("hello from ");
  }

  @Test
  void streamingChatDeliversEveryChunkInOrder() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("qwen3-8b").addUserMessage("Count").build();
    StringBuilder text = new StringBuilder();
    String lastFinish;
    int chunks = 0;
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      List<ChatCompletionChunk> all = stream.stream().toList();
      chunks = all.size();
      for (ChatCompletionChunk chunk : all) {
        chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
      }
      lastFinish = all.get(all.size() - 1).choices().get(0).finishReason()
          .map(Object::toString).orElse("none");
    }
    assertThat(chunks).isEqualTo(engineA.streamTokens + 1);
    assertThat(text.toString()).isEqualTo("t0 t1 t2 t3 t4 ");
    assertThat(lastFinish).isEqualTo("stop");
  }

  @Test
  void embeddings() {
    CreateEmbeddingResponse response = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("qwen3-8b").input("vector me").build());
    assertThat(response.data().get(0).embedding()).containsExactly(0.1f, 0.2f, 0.3f);
  }

  @Test
  void modelsListsConfiguredModels() {
    List<Model> models = client.models().list().data();
    assertThat(models).extracting(Model::id).containsExactly("qwen3-8b");
  }

  @Test
  void unknownModelIsNotFound() {
    assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-nothing").addUserMessage("hi").build()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("gpt-nothing");
  }

  @Test
  void requestsAreSpreadOverBothPods() {
    // Idle pods score alike; the default picker breaks ties at random, so both get traffic.
    int beforeA = engineA.received.size();
    int beforeB = engineB.received.size();
    for (int i = 0; i < 20; i++) {
      client.chat().completions().create(ChatCompletionCreateParams.builder()
          .model("qwen3-8b").addUserMessage("hi " + i).build());
    }
    int toA = engineA.received.size() - beforeA;
    int toB = engineB.received.size() - beforeB;
    assertThat(toA + toB).isEqualTo(20);
    assertThat(toA).isPositive();
    assertThat(toB).isPositive();
  }
}

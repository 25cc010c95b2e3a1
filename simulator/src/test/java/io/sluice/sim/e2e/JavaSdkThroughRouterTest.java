package io.sluice.sim.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.embeddings.EmbeddingCreateParams;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: the official OpenAI Java SDK through the router in front of the engine emulator —
 * tools (plain and streamed), n=2, JSON mode and base64 embeddings.
 */
class JavaSdkThroughRouterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;
  private static RouterUnderTest sluice;
  private static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    sluice = RouterUnderTest.start(dir, vertx -> EmulatedEngines.deploy(vertx, 1, 32_000, 50.0),
        "budget: {tokensPerPod: 32000}\n", "");
    client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + sluice.port() + "/v1").apiKey("test-key")
        .maxRetries(0).build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    sluice.close();
  }

  @AfterEach
  void ledgerBackToZero() throws Exception {
    assertThat(RouterUnderTest.eventually(10_000, sluice::ledgerEmpty)).as("router ledger empty").isTrue();
  }

  private static ChatCompletionFunctionTool weather() {
    return ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
        .parameters(FunctionParameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of(
                "city", Map.of("type", "string"),
                "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
            .putAdditionalProperty("required", JsonValue.from(List.of("city", "unit")))
            .build())
        .build()).build();
  }

  private static void assertWeatherCall(ChatCompletionMessageFunctionToolCall call) throws Exception {
    assertThat(call.function().name()).isEqualTo("get_weather");
    JsonNode args = JSON.readTree(call.function().arguments());
    assertThat(args.path("city").isTextual()).as(args.toString()).isTrue();
    assertThat(args.path("unit").asText()).isIn("celsius", "fahrenheit");
  }

  private static ChatCompletionCreateParams.Builder chat(String text) {
    return ChatCompletionCreateParams.builder().model(RouterUnderTest.MODEL).addUserMessage(text);
  }

  @Test
  void toolCall() throws Exception {
    ChatCompletion c = client.chat().completions().create(chat("Weather in Paris?").addTool(weather()).build());

    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertWeatherCall(c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction());
  }

  @Test
  void streamedToolCallAccumulates() throws Exception {
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
        chat("Weather?").addTool(weather()).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build())) {
      stream.stream().forEach(acc::accumulate);
    }
    ChatCompletion c = acc.chatCompletion();

    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertWeatherCall(c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction());
  }

  @Test
  void twoChoices() {
    ChatCompletion c = client.chat().completions().create(chat("Two answers").n(2).maxTokens(6).build());

    assertThat(c.choices()).extracting(ChatCompletion.Choice::index).containsExactly(0L, 1L);
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(12);
  }

  @Test
  void jsonModeAndJsonSchema() throws Exception {
    ChatCompletion object = client.chat().completions().create(chat("JSON please")
        .responseFormat(ResponseFormatJsonObject.builder().build()).build());
    assertThat(JSON.readTree(object.choices().get(0).message().content().orElseThrow()).isObject()).isTrue();

    ChatCompletion schema = client.chat().completions().create(chat("A city").responseFormat(
        ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder().name("city")
            .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of(
                    "name", Map.of("type", "string"),
                    "population", Map.of("type", "integer", "minimum", 0))))
                .putAdditionalProperty("required", JsonValue.from(List.of("name", "population")))
                .build())
            .build()).build()).build());
    JsonNode city = JSON.readTree(schema.choices().get(0).message().content().orElseThrow());
    assertThat(city.path("name").isTextual()).as(city.toString()).isTrue();
    assertThat(city.path("population").isInt()).as(city.toString()).isTrue();
  }

  @Test
  void base64EmbeddingsDecodeToTheFloatVector() {
    List<Float> base64 = client.embeddings().create(EmbeddingCreateParams.builder().model(RouterUnderTest.MODEL)
        .input("hello").encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build()).data().get(0).embedding();
    List<Float> floats = client.embeddings().create(EmbeddingCreateParams.builder().model(RouterUnderTest.MODEL)
        .input("hello").encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build()).data().get(0).embedding();

    assertThat(base64).hasSize(32);
    for (int i = 0; i < floats.size(); i++) {
      assertThat(base64.get(i)).isCloseTo(floats.get(i), Offset.offset(1e-6f));
    }
  }
}

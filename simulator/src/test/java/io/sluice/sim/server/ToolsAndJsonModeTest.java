package io.sluice.sim.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.engine.Profiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** tools, response_format, n, logprobs and base64 embeddings, answered in vLLM's shapes. */
class ToolsAndJsonModeTest {
    private static SimHttp sim;

    @BeforeAll
    static void start() {
        sim = new SimHttp(EngineOptions.local("qwen3-8b", 8192, Profiles.LLAMA3_8B_A100, 100.0));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    static JsonObject weatherTool() {
        return new JsonObject().put("type", "function").put("function", new JsonObject()
                .put("name", "get_weather").put("description", "Weather in a city")
                .put("parameters", new JsonObject().put("type", "object")
                        .put("properties", new JsonObject()
                                .put("city", new JsonObject().put("type", "string"))
                                .put("unit", new JsonObject().put("type", "string")
                                        .put("enum", new JsonArray().add("celsius").add("fahrenheit")))
                                .put("days", new JsonObject().put("type", "integer").put("minimum", 1).put("maximum", 7)))
                        .put("required", new JsonArray().add("city").add("unit").add("days"))));
    }

    static JsonObject timeTool() {
        return new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "get_time")
                .put("parameters", new JsonObject().put("type", "object").put("properties", new JsonObject()
                        .put("zone", new JsonObject().put("type", "string")))));
    }

    private static void assertWeatherArguments(String arguments) {
        JsonObject args = new JsonObject(arguments);
        assertThat(args.getValue("city")).isInstanceOf(String.class);
        assertThat(args.getString("unit")).isIn("celsius", "fahrenheit");
        assertThat(args.getInteger("days")).isBetween(1, 7);
    }

    private static List<JsonObject> chunks(String body) {
        assertThat(body).endsWith("data: [DONE]\n\n");
        List<JsonObject> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            assertThat(event).startsWith("data: ");
            if (!event.equals("data: [DONE]")) {
                out.add(new JsonObject(event.substring(6)));
            }
        }
        return out;
    }

    @Test
    void autoToolChoiceCallsTheToolTheUserNamedWithArgumentsMatchingItsSchema() throws Exception {
        JsonObject req = SimHttp.chat("qwen3-8b", "use get_weather for Paris")
                .put("tools", new JsonArray().add(timeTool()).add(weatherTool()));
        JsonObject body = new JsonObject(sim.post("/v1/chat/completions", req).body());
        JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
        JsonObject message = choice.getJsonObject("message");

        assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
        assertThat(message.getValue("content")).isNull();
        JsonObject call = message.getJsonArray("tool_calls").getJsonObject(0);
        assertThat(call.getString("id")).startsWith("chatcmpl-tool-");
        assertThat(call.getString("type")).isEqualTo("function");
        assertThat(call.getJsonObject("function").getString("name")).isEqualTo("get_weather");
        assertWeatherArguments(call.getJsonObject("function").getString("arguments"));
        assertThat(body.getJsonObject("usage").getInteger("completion_tokens"))
                .isEqualTo(1 + ChoiceOutput.split(call.getJsonObject("function").getString("arguments")).size());
    }

    @Test
    void toolDefinitionsAndCallsCostPromptTokensAsTheTemplateRendersThem() throws Exception {
        JsonObject plain = SimHttp.chat("qwen3-8b", "weather?");
        JsonObject withTools = plain.copy().put("tools", new JsonArray().add(weatherTool())).put("tool_choice", "none");
        int without = new JsonObject(sim.post("/v1/chat/completions", plain, "x-sim-output-tokens", "1").body())
                .getJsonObject("usage").getInteger("prompt_tokens");
        int with = new JsonObject(sim.post("/v1/chat/completions", withTools, "x-sim-output-tokens", "1").body())
                .getJsonObject("usage").getInteger("prompt_tokens");
        int counted = new JsonObject(sim.post("/tokenize", new JsonObject().put("model", "qwen3-8b")
                .put("messages", withTools.getJsonArray("messages")).put("tools", withTools.getJsonArray("tools"))).body())
                .getInteger("count");

        assertThat(with).isGreaterThan(without + 50);
        assertThat(counted).isEqualTo(with);
    }

    @Test
    void namedToolChoiceIsCalledAndNoneAnswersInText() throws Exception {
        JsonObject named = SimHttp.chat("qwen3-8b", "what time is it").put("tools", new JsonArray().add(timeTool()).add(weatherTool()))
                .put("tool_choice", new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "get_weather")));
        JsonObject call = new JsonObject(sim.post("/v1/chat/completions", named).body()).getJsonArray("choices")
                .getJsonObject(0).getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
        assertThat(call.getJsonObject("function").getString("name")).isEqualTo("get_weather");

        JsonObject none = named.copy().put("tool_choice", "none");
        JsonObject choice = new JsonObject(sim.post("/v1/chat/completions", none, "x-sim-output-tokens", "3").body())
                .getJsonArray("choices").getJsonObject(0);
        assertThat(choice.getString("finish_reason")).isEqualTo("stop");
        assertThat(choice.getJsonObject("message").getJsonArray("tool_calls")).isEmpty();
        assertThat(choice.getJsonObject("message").getString("content")).isNotBlank();
    }

    @Test
    void afterAToolResultAutoAnswersInText() throws Exception {
        JsonObject req = SimHttp.chat("qwen3-8b", "weather?").put("tools", new JsonArray().add(weatherTool()));
        req.getJsonArray("messages")
                .add(new JsonObject().put("role", "assistant").put("content", (Object) null))
                .add(new JsonObject().put("role", "tool").put("tool_call_id", "x").put("content", "sunny"));
        JsonObject choice = new JsonObject(sim.post("/v1/chat/completions", req, "x-sim-output-tokens", "3").body())
                .getJsonArray("choices").getJsonObject(0);

        assertThat(choice.getString("finish_reason")).isEqualTo("stop");
        assertThat(choice.getJsonObject("message").getString("content")).isNotBlank();
    }

    @Test
    void streamedToolCallSendsIdAndNameFirstThenArgumentFragments() throws Exception {
        JsonObject req = SimHttp.chat("qwen3-8b", "weather").put("stream", true).put("tools", new JsonArray().add(weatherTool()))
                .put("tool_choice", "required").put("stream_options", new JsonObject().put("include_usage", true));
        List<JsonObject> chunks = chunks(sim.post("/v1/chat/completions", req).body());

        assertThat(chunks.get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role"))
                .isEqualTo("assistant");
        JsonObject first = chunks.get(1).getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
                .getJsonArray("tool_calls").getJsonObject(0);
        assertThat(first.getString("id")).startsWith("chatcmpl-tool-");
        assertThat(first.getJsonObject("function").getString("name")).isEqualTo("get_weather");
        StringBuilder args = new StringBuilder();
        int fragments = 0;
        for (JsonObject c : chunks.subList(2, chunks.size() - 2)) {
            JsonObject call = c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta")
                    .getJsonArray("tool_calls").getJsonObject(0);
            assertThat(call.getInteger("index")).isZero();
            assertThat(call.containsKey("id")).isFalse();
            args.append(call.getJsonObject("function").getString("arguments"));
            fragments++;
        }
        assertWeatherArguments(args.toString());
        assertThat(chunks.get(chunks.size() - 2).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
                .isEqualTo("tool_calls");
        assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getInteger("completion_tokens"))
                .isEqualTo(1 + fragments);
    }

    @Test
    void jsonSchemaResponseFormatGivesADocumentMatchingTheSchema() throws Exception {
        JsonObject schema = new JsonObject().put("type", "object").put("properties", new JsonObject()
                .put("name", new JsonObject().put("type", "string"))
                .put("tags", new JsonObject().put("type", "array").put("minItems", 2)
                        .put("items", new JsonObject().put("type", "string")))
                .put("ok", new JsonObject().put("type", "boolean"))
                .put("address", new JsonObject().put("$ref", "#/$defs/address")))
                .put("required", new JsonArray().add("name").add("tags").add("ok").add("address"))
                .put("$defs", new JsonObject().put("address", new JsonObject().put("type", "object")
                        .put("properties", new JsonObject().put("zip", new JsonObject().put("type", "integer")))
                        .put("required", new JsonArray().add("zip"))));
        JsonObject req = SimHttp.chat("qwen3-8b", "json please").put("response_format", new JsonObject()
                .put("type", "json_schema").put("json_schema", new JsonObject().put("name", "t").put("schema", schema)));
        JsonObject choice = new JsonObject(sim.post("/v1/chat/completions", req).body()).getJsonArray("choices").getJsonObject(0);
        JsonObject doc = new JsonObject(choice.getJsonObject("message").getString("content"));

        assertThat(choice.getString("finish_reason")).isEqualTo("stop");
        assertThat(doc.getValue("name")).isInstanceOf(String.class);
        assertThat(doc.getJsonArray("tags")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(doc.getValue("ok")).isInstanceOf(Boolean.class);
        assertThat(doc.getJsonObject("address").getValue("zip")).isInstanceOf(Integer.class);
    }

    @Test
    void jsonObjectModeStreamsADocumentThatParses() throws Exception {
        JsonObject req = SimHttp.chat("qwen3-8b", "json").put("stream", true)
                .put("response_format", new JsonObject().put("type", "json_object"));
        StringBuilder content = new StringBuilder();
        for (JsonObject c : chunks(sim.post("/v1/chat/completions", req).body())) {
            content.append(c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content", ""));
        }
        assertThat(new JsonObject(content.toString()).getString("answer")).isNotBlank();
    }

    @Test
    void nChoicesAreIndexedAndUsageCountsThemAll() throws Exception {
        JsonObject req = SimHttp.chat("qwen3-8b", "two please").put("n", 3);
        JsonObject body = new JsonObject(sim.post("/v1/chat/completions", req, "x-sim-output-tokens", "5").body());

        JsonArray choices = body.getJsonArray("choices");
        assertThat(choices).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(choices.getJsonObject(i).getInteger("index")).isEqualTo(i);
        }
        assertThat(body.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(15);
        assertThat(choices.getJsonObject(1).getJsonObject("message").getString("content"))
                .isNotEqualTo(choices.getJsonObject(0).getJsonObject("message").getString("content"));
    }

    @Test
    void streamedChoicesCarryTheirIndexesAndEachEnds() throws Exception {
        JsonObject req = new JsonObject().put("model", "qwen3-8b").put("prompt", "abc").put("n", 2).put("stream", true)
                .put("stream_options", new JsonObject().put("include_usage", true));
        Map<Integer, Integer> pieces = new HashMap<>();
        Map<Integer, String> finish = new HashMap<>();
        List<JsonObject> chunks = chunks(sim.post("/v1/completions", req, "x-sim-output-tokens", "4").body());
        for (JsonObject c : chunks.subList(0, chunks.size() - 1)) {
            JsonObject choice = c.getJsonArray("choices").getJsonObject(0);
            if (choice.getString("finish_reason") != null) {
                finish.put(choice.getInteger("index"), choice.getString("finish_reason"));
            } else {
                pieces.merge(choice.getInteger("index"), 1, Integer::sum);
            }
        }
        assertThat(pieces).containsEntry(0, 4).containsEntry(1, 4);
        assertThat(finish).containsEntry(0, "stop").containsEntry(1, "stop");
        assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(8);
    }

    @Test
    void chatLogprobsGiveEveryTokenItsTopAlternatives() throws Exception {
        JsonObject req = SimHttp.chat("qwen3-8b", "hi").put("logprobs", true).put("top_logprobs", 3);
        JsonObject choice = new JsonObject(sim.post("/v1/chat/completions", req, "x-sim-output-tokens", "4").body())
                .getJsonArray("choices").getJsonObject(0);
        JsonArray content = choice.getJsonObject("logprobs").getJsonArray("content");

        assertThat(content).hasSize(4);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            JsonObject e = content.getJsonObject(i);
            text.append(e.getString("token"));
            assertThat(e.getDouble("logprob")).isNegative();
            assertThat(e.getJsonArray("bytes")).isNotEmpty();
            assertThat(e.getJsonArray("top_logprobs")).hasSize(3);
            assertThat(e.getJsonArray("top_logprobs").getJsonObject(0).getString("token")).isEqualTo(e.getString("token"));
        }
        assertThat(text.toString()).isEqualTo(choice.getJsonObject("message").getString("content"));
    }

    @Test
    void completionLogprobsAreParallelArrays() throws Exception {
        JsonObject req = new JsonObject().put("model", "qwen3-8b").put("prompt", "abc").put("logprobs", 2);
        JsonObject lp = new JsonObject(sim.post("/v1/completions", req, "x-sim-output-tokens", "3").body())
                .getJsonArray("choices").getJsonObject(0).getJsonObject("logprobs");

        assertThat(lp.getJsonArray("tokens")).hasSize(3);
        assertThat(lp.getJsonArray("token_logprobs")).hasSize(3);
        assertThat(lp.getJsonArray("text_offset").getInteger(0)).isZero();
        assertThat(lp.getJsonArray("top_logprobs").getJsonObject(0).size()).isEqualTo(2);
    }

    @Test
    void tooManyLogprobsIsRefusedLikeVllm() throws Exception {
        JsonObject req = SimHttp.chat("qwen3-8b", "hi").put("logprobs", true).put("top_logprobs", 21);
        assertThat(sim.post("/v1/chat/completions", req).statusCode()).isEqualTo(400);
    }

    @Test
    void base64EmbeddingsAreTheFloat32LittleEndianVector() throws Exception {
        JsonObject floats = new JsonObject(sim.post("/v1/embeddings", new JsonObject().put("model", "qwen3-8b")
                .put("input", "hello")).body());
        JsonObject b64 = new JsonObject(sim.post("/v1/embeddings", new JsonObject().put("model", "qwen3-8b")
                .put("input", "hello").put("encoding_format", "base64")).body());
        JsonArray expected = floats.getJsonArray("data").getJsonObject(0).getJsonArray("embedding");
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(
                b64.getJsonArray("data").getJsonObject(0).getString("embedding"))).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(bytes.remaining()).isEqualTo(4 * expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat((double) bytes.getFloat()).isCloseTo(expected.getDouble(i), org.assertj.core.data.Offset.offset(1e-6));
        }
    }
}

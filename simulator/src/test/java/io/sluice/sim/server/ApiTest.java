package io.sluice.sim.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.engine.Profiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApiTest {
    private static SimHttp sim;

    @BeforeAll
    static void start() {
        sim = new SimHttp(EngineOptions.local("qwen3-8b", 256, Profiles.LLAMA3_8B_A100, 100.0)
                .withLoras(List.of("sql-lora")));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void chatCompletionIsCutAtMaxTokensWithFinishReasonLength() throws Exception {
        HttpResponse<String> r = sim.post("/v1/chat/completions", SimHttp.chat("qwen3-8b", "hello there").put("max_tokens", 5),
                "x-sim-output-tokens", "50");
        JsonObject body = new JsonObject(r.body());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(body.getString("object")).isEqualTo("chat.completion");
        JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
        assertThat(choice.getString("finish_reason")).isEqualTo("length");
        assertThat(choice.getJsonObject("message").getString("role")).isEqualTo("assistant");
        assertThat(body.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(5);
        assertThat(body.getJsonObject("usage").getInteger("total_tokens"))
                .isEqualTo(5 + body.getJsonObject("usage").getInteger("prompt_tokens"));
    }

    @Test
    void naturalLengthBelowMaxTokensStopsWithFinishReasonStop() throws Exception {
        HttpResponse<String> r = sim.post("/v1/completions", new JsonObject().put("model", "sql-lora")
                .put("prompt", "select").put("max_completion_tokens", 100), "x-sim-output-tokens", "7");
        JsonObject body = new JsonObject(r.body());

        assertThat(body.getString("object")).isEqualTo("text_completion");
        assertThat(body.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
        assertThat(body.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(7);
        assertThat(body.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(2);
    }

    @Test
    void promptLargerThanTheCacheGetsVllmsBadRequest() throws Exception {
        HttpResponse<String> r = sim.post("/v1/chat/completions", SimHttp.chat("qwen3-8b", "x".repeat(4000)));
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error.getString("type")).isEqualTo("BadRequestError");
        assertThat(error.getInteger("code")).isEqualTo(400);
        assertThat(error.getString("message")).startsWith("This model's maximum context length is 256 tokens.");
        assertThat(error.containsKey("param")).isTrue();
    }

    @Test
    void maxTokensBeyondTheContextIsRejectedLikeVllm() throws Exception {
        HttpResponse<String> r = sim.post("/v1/completions",
                new JsonObject().put("model", "qwen3-8b").put("prompt", "abcdabcd").put("max_tokens", 1000));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getJsonObject("error").getString("message"))
                .startsWith("'max_tokens' or 'max_completion_tokens' is too large: 1000.");
    }

    @Test
    void unknownModelIs404InOpenAiFormat() throws Exception {
        HttpResponse<String> r = sim.post("/v1/chat/completions", SimHttp.chat("gpt-9", "hi"));

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(r.body()).getJsonObject("error").getString("type")).isEqualTo("NotFoundError");
    }

    @Test
    void modelsListsTheBaseModelAndItsAdapters() throws Exception {
        JsonArray data = new JsonObject(sim.get("/v1/models").body()).getJsonArray("data");

        assertThat(data.stream().map(o -> ((JsonObject) o).getString("id"))).containsExactly("qwen3-8b", "sql-lora");
        assertThat(data.getJsonObject(1).getString("parent")).isEqualTo("qwen3-8b");
        assertThat(data.getJsonObject(0).getInteger("max_model_len")).isEqualTo(256);
    }

    @Test
    void tokenizeCountsPromptsAndMessages() throws Exception {
        JsonObject p = new JsonObject(sim.post("/tokenize", new JsonObject().put("model", "qwen3-8b")
                .put("prompt", "abcdefgh")).body());
        JsonObject m = new JsonObject(sim.post("/tokenize", SimHttp.chat("qwen3-8b", "abcdefgh")).body());

        assertThat(p.getInteger("count")).isEqualTo(2);
        assertThat(p.getJsonArray("tokens")).hasSize(2);
        assertThat(p.getInteger("max_model_len")).isEqualTo(256);
        assertThat(m.getInteger("count")).isGreaterThan(2);
    }

    @Test
    void embeddingsAreDeterministicUnitVectors() throws Exception {
        JsonObject body = new JsonObject().put("model", "qwen3-8b").put("input", new JsonArray().add("a").add("b").add("a"));
        JsonArray data = new JsonObject(sim.post("/v1/embeddings", body).body()).getJsonArray("data");

        JsonArray a = data.getJsonObject(0).getJsonArray("embedding");
        double norm = a.stream().mapToDouble(x -> ((Number) x).doubleValue()).map(x -> x * x).sum();
        assertThat(a).hasSize(AuxEndpoints.EMBEDDING_DIM);
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(data.getJsonObject(2).getJsonArray("embedding")).isEqualTo(a);
        assertThat(data.getJsonObject(1).getJsonArray("embedding")).isNotEqualTo(a);
    }

    @Test
    void metricsExportVllmNamesWithCacheConfig() throws Exception {
        String text = sim.get("/metrics").body();

        assertThat(text).contains("vllm:num_requests_running{model_name=\"qwen3-8b\"}",
                "vllm:num_requests_waiting{", "vllm:kv_cache_usage_perc{", "vllm:gpu_cache_usage_perc{",
                "vllm:num_preemptions_total{", "vllm:prompt_tokens_total{", "vllm:generation_tokens_total{",
                "vllm:time_to_first_token_seconds_bucket{", "vllm:prefix_cache_queries_total{",
                "vllm:prefix_cache_hits_total{", "block_size=\"16\"", "num_gpu_blocks=\"16\"",
                "vllm:lora_requests_info{max_lora=\"1\"");
    }
}

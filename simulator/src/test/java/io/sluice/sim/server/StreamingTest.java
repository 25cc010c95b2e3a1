package io.sluice.sim.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.engine.Profiles;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StreamingTest {
    private static SimHttp sim;

    @BeforeAll
    static void start() {
        sim = new SimHttp(EngineOptions.local("qwen3-8b", 8192, Profiles.LLAMA3_8B_A100, 1.0));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    /** Splits an SSE body into its data payloads, checking the framing of every event. */
    private static List<String> events(String body) {
        assertThat(body).endsWith("data: [DONE]\n\n");
        List<String> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            assertThat(event).startsWith("data: ");
            out.add(event.substring("data: ".length()));
        }
        return out;
    }

    @Test
    void chatStreamWithIncludeUsageEndsWithAUsageChunkWithEmptyChoices() throws Exception {
        JsonObject req = SimHttp.chat("qwen3-8b", "stream please").put("stream", true)
                .put("stream_options", new JsonObject().put("include_usage", true));
        List<String> events = events(sim.post("/v1/chat/completions", req, "x-sim-output-tokens", "4").body());

        assertThat(events).hasSize(1 + 4 + 1 + 1 + 1);
        JsonObject first = new JsonObject(events.get(0));
        assertThat(first.getString("object")).isEqualTo("chat.completion.chunk");
        assertThat(first.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role")).isEqualTo("assistant");
        for (int i = 1; i <= 4; i++) {
            JsonObject c = new JsonObject(events.get(i));
            assertThat(c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content")).isNotEmpty();
            assertThat(c.containsKey("usage")).isFalse();
        }
        JsonObject last = new JsonObject(events.get(5));
        assertThat(last.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
        JsonObject usageChunk = new JsonObject(events.get(6));
        assertThat(usageChunk.getJsonArray("choices")).isEmpty();
        assertThat(usageChunk.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(4);
        assertThat(events.get(7)).isEqualTo("[DONE]");
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageChunk() throws Exception {
        JsonObject req = new JsonObject().put("model", "qwen3-8b").put("prompt", "go").put("stream", true).put("max_tokens", 3);
        List<String> events = events(sim.post("/v1/completions", req, "x-sim-output-tokens", "10").body());

        assertThat(events).hasSize(3 + 1 + 1);
        assertThat(events.subList(0, 4)).allMatch(e -> !new JsonObject(e).containsKey("usage"));
        assertThat(new JsonObject(events.get(0)).getJsonArray("choices").getJsonObject(0).getString("text")).isNotEmpty();
        assertThat(new JsonObject(events.get(3)).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
                .isEqualTo("length");
    }

    @Test
    void continuousUsageStatsPutsUsageOnEveryChunk() throws Exception {
        JsonObject req = new JsonObject().put("model", "qwen3-8b").put("prompt", "go").put("stream", true)
                .put("stream_options", new JsonObject().put("include_usage", true).put("continuous_usage_stats", true));
        List<String> events = events(sim.post("/v1/completions", req, "x-sim-output-tokens", "2").body());

        assertThat(new JsonObject(events.get(0)).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(1);
        assertThat(new JsonObject(events.get(1)).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(2);
    }

    @Test
    void tokensLeaveAtTheModelledTimesAtTimeScaleOne() throws Exception {
        // llama3-8b-a100: a 1-token prompt's prefill step is ~13.5 ms, then 19 decode steps of ~13.5 ms.
        long start = System.nanoTime();
        sim.post("/v1/completions", new JsonObject().put("model", "qwen3-8b").put("prompt", "go"), "x-sim-output-tokens", "20");
        double elapsedMs = (System.nanoTime() - start) / 1e6;

        assertThat(elapsedMs).isBetween(20 * 13.4 * 0.95, 20 * 13.4 * 3);
    }
}

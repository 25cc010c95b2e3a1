package io.sluice.sim.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.engine.Profiles;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SglangFlavorTest {

    @Test
    void exportsSglangMetricNamesAndNoVllmOnes() throws Exception {
        EngineOptions options = EngineOptions.local("qwen3-8b", 4096, Profiles.LLAMA3_8B_A100, 100.0)
                .withFlavor(EngineOptions.Flavor.SGLANG);
        try (SimHttp sim = new SimHttp(options)) {
            sim.post("/v1/completions", new JsonObject().put("model", "qwen3-8b").put("prompt", "abcd"), "x-sim-output-tokens", "5");
            String text = sim.get("/metrics").body();
            Map<String, Double> m = sim.metrics();

            assertThat(text).doesNotContain("vllm:");
            assertThat(m).containsKeys("sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:token_usage",
                    "sglang:cache_hit_rate", "sglang:time_to_first_token_seconds_count");
            assertThat(m.get("sglang:max_total_num_tokens")).isEqualTo(4096.0);
            assertThat(m.get("sglang:generation_tokens_total")).isEqualTo(5.0);
            assertThat(sim.post("/v1/tokenize", new JsonObject().put("prompt", "abcd")).statusCode()).isEqualTo(200);
        }
    }
}

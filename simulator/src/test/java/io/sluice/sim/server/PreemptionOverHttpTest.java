package io.sluice.sim.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.sim.engine.Profiles;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Eight requests of ~250 prompt + 300 output tokens each need ~4,400 tokens of KV in all;
 * the cache holds 2,048. Sent together they must preempt; sent one after another they fit.
 */
class PreemptionOverHttpTest {
    private static final EngineOptions OPTIONS = EngineOptions.local("qwen3-8b", 2048, Profiles.LLAMA3_8B_A100, 200.0);

    private static JsonObject longRequest(int i) {
        return new JsonObject().put("model", "qwen3-8b").put("prompt", i + " " + "lorem ipsum ".repeat(83));
    }

    @Test
    void burstIntoASmallCachePreemptsAndShowsInMetrics() throws Exception {
        try (SimHttp sim = new SimHttp(OPTIONS)) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                all.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return sim.post("/v1/completions", longRequest(n), "x-sim-output-tokens", "300");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<HttpResponse<String>> f : all) {
                assertThat(new JsonObject(f.get().body()).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(300);
            }
            Map<String, Double> m = sim.metrics();

            assertThat(m.get("vllm:num_preemptions_total")).isPositive();
            assertThat(m.get("vllm:generation_tokens_total")).isEqualTo(8 * 300.0);
            assertThat(m.get("vllm:kv_cache_usage_perc")).isZero();
        }
    }

    @Test
    void theSameLoadSpreadOutNeverPreempts() throws Exception {
        try (SimHttp sim = new SimHttp(OPTIONS)) {
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> r = sim.post("/v1/completions", longRequest(i), "x-sim-output-tokens", "300");
                assertThat(r.statusCode()).isEqualTo(200);
            }
            Map<String, Double> m = sim.metrics();

            assertThat(m.get("vllm:num_preemptions_total")).isZero();
            assertThat(m.get("vllm:generation_tokens_total")).isEqualTo(8 * 300.0);
            assertThat(m.get("vllm:prompt_tokens_total")).isGreaterThan(8 * 240.0);
        }
    }
}

package io.sluice.sim.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.crd.EngineKind;
import io.sluice.router.runtime.PrometheusText;
import io.sluice.router.runtime.PrometheusText.Sample;
import io.sluice.router.runtime.EngineMetricsParser;
import io.sluice.sim.engine.Profiles;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** vllm:lora_requests_info keeps old label sets, as vLLM's does; only the newest is in force. */
class LoraMetricsTest {

    @Test
    void anAdapterNoLongerInUseStaysOnThePageInAnOlderSeriesAndIsNotReadAsLoaded() throws Exception {
        try (SimHttp sim = new SimHttp(EngineOptions.local("qwen3-8b", 4096, Profiles.LLAMA3_8B_A100, 1.0)
                .withLoras(List.of("sql-lora")))) {
            CompletableFuture<Integer> done = CompletableFuture.supplyAsync(() -> {
                try {
                    return sim.post("/v1/completions", new io.vertx.core.json.JsonObject().put("model", "sql-lora")
                            .put("prompt", "select").put("max_tokens", 300), "x-sim-output-tokens", "300").statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!loadedNow(sim) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(loadedNow(sim)).as("sql-lora read as loaded while its request runs").isTrue();
            assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(200);

            String page = sim.get("/metrics").body();
            List<Sample> series = PrometheusText.parse(page).samples("vllm:lora_requests_info");
            assertThat(series).extracting(s -> s.label("running_lora_adapters")).contains("sql-lora", "");
            Sample newest = series.stream().max(Comparator.comparingDouble(Sample::value)).orElseThrow();
            assertThat(newest.label("running_lora_adapters")).isEmpty();
            assertThat(EngineMetricsParser.parse(EngineKind.VLLM, page, 0).loadedAdapters()).isEmpty();
        }
    }

    private static boolean loadedNow(SimHttp sim) throws Exception {
        return EngineMetricsParser.parse(EngineKind.VLLM, sim.get("/metrics").body(), 0).loadedAdapters()
                .contains("sql-lora");
    }
}

package io.sluice.sim.server;

import io.sluice.sim.engine.EngineCore;
import io.sluice.sim.engine.EngineStats;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Renders the engine's state in the Prometheus text format under vLLM's metric names
 * (vllm:*) or SGLang's (sglang:*), so a router's scraper cannot tell it from the real engine.
 */
final class MetricsExporter {
    private final String model;
    private final EngineOptions.Flavor flavor;
    /** lora_requests_info label sets, oldest first; vLLM never drops one, we keep the last 256. */
    private final Map<String, Double> loraSeries = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Double> eldest) {
            return size() > 256;
        }
    };

    MetricsExporter(String model, EngineOptions.Flavor flavor) {
        this.model = model;
        this.flavor = flavor;
    }

    String render(EngineDriver driver) {
        StringBuilder out = new StringBuilder(8192);
        if (flavor == EngineOptions.Flavor.SGLANG) {
            sglang(out, driver);
        } else {
            vllm(out, driver);
        }
        // Not an engine metric: the emulator's own high-water mark, for tests that check admission.
        gauge(out, "sim:kv_peak_used_tokens", "Most KV-cache tokens (whole blocks) held at once since start.",
                labels(), driver.peakUsedBlocks() * (double) driver.core().config().blockSize());
        return out.toString();
    }

    private String labels() {
        return "model_name=\"" + model + "\"";
    }

    private void gauge(StringBuilder out, String name, String help, String labels, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private void counter(StringBuilder out, String name, String help, String labels, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private void vllm(StringBuilder out, EngineDriver driver) {
        EngineCore core = driver.core();
        EngineStats s = core.stats();
        String l = labels();
        gauge(out, "vllm:num_requests_running", "Number of requests in model execution batches.", l, core.numRunning());
        gauge(out, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", l, core.numWaiting());
        gauge(out, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", l, core.kvUsage());
        gauge(out, "vllm:gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage.", l, core.kvUsage());
        counter(out, "vllm:num_preemptions_total", "Cumulative number of preemption from the engine.", l, s.preemptions());
        counter(out, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", l, s.promptTokens());
        counter(out, "vllm:generation_tokens_total", "Number of generation tokens processed.", l, s.generationTokens());
        counter(out, "vllm:prefix_cache_queries_total",
                "Prefix cache queries, in terms of number of queried tokens.", l, s.prefixQueryTokens());
        counter(out, "vllm:prefix_cache_hits_total",
                "Prefix cache hits, in terms of number of cached tokens.", l, s.prefixHitTokens());
        out.append("# HELP vllm:request_success_total Count of successfully processed requests.\n");
        out.append("# TYPE vllm:request_success_total counter\n");
        out.append("vllm:request_success_total{finished_reason=\"stop\",").append(l).append("} ")
                .append((double) s.finishedStop()).append('\n');
        out.append("vllm:request_success_total{finished_reason=\"length\",").append(l).append("} ")
                .append((double) s.finishedLength()).append('\n');
        out.append("vllm:request_success_total{finished_reason=\"abort\",").append(l).append("} ")
                .append((double) s.aborted()).append('\n');
        out.append("# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.\n");
        driver.ttft().write(out, "vllm:time_to_first_token_seconds", l);
        out.append("# HELP vllm:e2e_request_latency_seconds Histogram of e2e request latency in seconds.\n");
        driver.e2e().write(out, "vllm:e2e_request_latency_seconds", l);
        gauge(out, "vllm:cache_config_info", "Information of the LLMEngine CacheConfig",
                "block_size=\"" + core.config().blockSize() + "\",cache_dtype=\"auto\",enable_prefix_caching=\""
                        + (core.config().prefixCaching() ? "True" : "False")
                        + "\",gpu_memory_utilization=\"0.9\",num_cpu_blocks=\"0\",num_gpu_blocks=\""
                        + core.totalBlocks() + "\"", 1.0);
        lora(out, "max_lora=\"" + core.config().maxLoras() + "\",running_lora_adapters=\"" + join(core.runningLoras())
                + "\",waiting_lora_adapters=\"" + join(core.waitingLoras()) + "\"");
    }

    /**
     * As vLLM does: the current label set is set to the wall-clock time, and every label set it had
     * before stays on the page with the time it was last current, so readers must take the newest.
     */
    private void lora(StringBuilder out, String current) {
        out.append("# HELP vllm:lora_requests_info Running stats on lora requests.\n");
        out.append("# TYPE vllm:lora_requests_info gauge\n");
        synchronized (loraSeries) {
            double newest = loraSeries.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            loraSeries.remove(current);
            loraSeries.put(current, Math.max(System.currentTimeMillis() / 1000.0, Math.nextUp(newest)));
            loraSeries.forEach((labels, time) ->
                    out.append("vllm:lora_requests_info{").append(labels).append("} ").append(time).append('\n'));
        }
    }

    private void sglang(StringBuilder out, EngineDriver driver) {
        EngineCore core = driver.core();
        EngineStats s = core.stats();
        String l = labels();
        int usedTokens = (core.totalBlocks() - core.freeBlocks()) * core.config().blockSize();
        gauge(out, "sglang:num_running_reqs", "The number of running requests.", l, core.numRunning());
        gauge(out, "sglang:num_queue_reqs", "The number of requests in the waiting queue.", l, core.numWaiting());
        gauge(out, "sglang:num_used_tokens", "The number of used tokens.", l, usedTokens);
        gauge(out, "sglang:token_usage", "The token usage.", l, core.kvUsage());
        gauge(out, "sglang:max_total_num_tokens", "Maximum total number of tokens in the KV cache pool.", l,
                core.config().maxModelLen());
        double hitRate = s.prefixQueryTokens() == 0 ? 0 : (double) s.prefixHitTokens() / s.prefixQueryTokens();
        gauge(out, "sglang:cache_hit_rate", "The prefix cache hit rate.", l, hitRate);
        counter(out, "sglang:prompt_tokens_total", "Number of prefill tokens processed.", l, s.promptTokens());
        counter(out, "sglang:generation_tokens_total", "Number of generation tokens processed.", l, s.generationTokens());
        counter(out, "sglang:num_requests_total", "Number of requests processed.", l,
                s.finishedStop() + s.finishedLength() + s.aborted());
        counter(out, "sglang:num_retractions_total", "Number of retracted (preempted) requests.", l, s.preemptions());
        out.append("# HELP sglang:time_to_first_token_seconds Histogram of time to first token in seconds.\n");
        driver.ttft().write(out, "sglang:time_to_first_token_seconds", l);
        out.append("# HELP sglang:e2e_request_latency_seconds Histogram of End-to-end request latency in seconds\n");
        driver.e2e().write(out, "sglang:e2e_request_latency_seconds", l);
    }

    private static String join(Set<String> names) {
        return String.join(",", new TreeSet<>(names));
    }
}

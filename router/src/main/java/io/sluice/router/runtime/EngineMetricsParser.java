package io.sluice.router.runtime;

import io.sluice.crd.EngineKind;
import io.sluice.router.runtime.PrometheusText.Sample;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the figures routing needs from an engine's Prometheus text: vLLM's names (V1, and the
 * older {@code gpu_cache_usage_perc}) or SGLang's. Figures of several data-parallel ranks
 * ({@code engine="0"}, {@code engine="1"}) are summed; KV usage is averaged. Of
 * {@code vllm:lora_requests_info} only the newest series counts (vLLM leaves old ones on the page).
 */
public final class EngineMetricsParser {
  private static final Set<String> VLLM = Set.of("vllm:num_requests_running", "vllm:num_requests_waiting",
      "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc", "vllm:prefix_cache_queries_total",
      "vllm:prefix_cache_hits_total", "vllm:num_preemptions_total", "vllm:lora_requests_info",
      "vllm:cache_config_info");
  private static final Set<String> SGLANG = Set.of("sglang:num_running_reqs", "sglang:num_queue_reqs",
      "sglang:token_usage", "sglang:max_total_num_tokens", "sglang:cache_hit_rate");

  private EngineMetricsParser() {}

  public static EngineSample parse(EngineKind engine, String text, long nowNanos) {
    Totals totals = new Totals();
    if (engine == EngineKind.SGLANG) {
      for (Sample s : PrometheusText.parse(text, SGLANG::contains).samples()) {
        sglang(totals, s.name(), s.value());
      }
    } else {
      // vLLM keeps every label set vllm:lora_requests_info ever had, each valued at the time it was
      // last current: only the newest (per data-parallel rank, if the page names ranks) is in force.
      Map<String, Sample> newestLora = new HashMap<>();
      for (Sample s : PrometheusText.parse(text, VLLM::contains).samples()) {
        if (s.name().equals("vllm:lora_requests_info")) {
          newestLora.merge(String.valueOf(s.label("engine")), s, (a, b) -> b.value() > a.value() ? b : a);
        } else {
          vllm(totals, s);
        }
      }
      for (Sample lora : newestLora.values()) {
        totals.adapters.addAll(list(lora.label("running_lora_adapters")));
        totals.adapters.addAll(list(lora.label("waiting_lora_adapters")));
      }
    }
    return totals.sample(nowNanos);
  }

  private static void vllm(Totals t, Sample s) {
    double value = s.value();
    switch (s.name()) {
      case "vllm:num_requests_running" -> t.running += value;
      case "vllm:num_requests_waiting" -> t.waiting += value;
      case "vllm:kv_cache_usage_perc" -> t.kv(value, true);
      case "vllm:gpu_cache_usage_perc" -> t.kv(value, false);
      case "vllm:prefix_cache_queries_total" -> t.queries += value;
      case "vllm:prefix_cache_hits_total" -> t.hits += value;
      case "vllm:num_preemptions_total" -> t.preemptions += value;
      case "vllm:cache_config_info" -> {
        long blocks = parseLong(s.label("num_gpu_blocks"));
        long blockSize = parseLong(s.label("block_size"));
        if (blocks > 0 && blockSize > 0) {
          t.capacity += blocks * blockSize;
        }
      }
      default -> { }
    }
  }

  private static void sglang(Totals t, String name, double value) {
    switch (name) {
      case "sglang:num_running_reqs" -> t.running += value;
      case "sglang:num_queue_reqs" -> t.waiting += value;
      case "sglang:token_usage" -> t.kv(value, true);
      case "sglang:max_total_num_tokens" -> t.capacity += (long) value;
      case "sglang:cache_hit_rate" -> t.hitRate = value;
      default -> { }
    }
  }

  /** Running sums while reading one page. */
  private static final class Totals {
    double running;
    double waiting;
    double kvSum;
    int kvCount;
    boolean kvFromCurrentName;
    double queries;
    double hits;
    double preemptions;
    double hitRate = -1;
    long capacity;
    final Set<String> adapters = new HashSet<>();

    /** The current name wins over the deprecated one when an engine exports both. */
    void kv(double value, boolean current) {
      if (current && !kvFromCurrentName) {
        kvSum = 0;
        kvCount = 0;
        kvFromCurrentName = true;
      } else if (!current && kvFromCurrentName) {
        return;
      }
      kvSum += value;
      kvCount++;
    }

    EngineSample sample(long nowNanos) {
      double kv = kvCount == 0 ? -1 : Math.min(1, Math.max(0, kvSum / kvCount));
      double rate = queries > 0 ? hits / queries : hitRate;
      return new EngineSample((int) running, (int) waiting, kv, Set.copyOf(adapters), rate, preemptions, capacity,
          nowNanos);
    }
  }

  private static Set<String> list(String value) {
    Set<String> out = new HashSet<>();
    if (value != null) {
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          out.add(item.strip());
        }
      }
    }
    return out;
  }

  private static long parseLong(String value) {
    try {
      return value == null ? -1 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

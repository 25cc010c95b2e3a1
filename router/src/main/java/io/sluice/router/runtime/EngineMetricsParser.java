package io.sluice.router.runtime;

import io.sluice.crd.EngineKind;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the figures routing needs from an engine's Prometheus text: vLLM's names (V1, and the
 * older {@code gpu_cache_usage_perc}) or SGLang's. Figures of several data-parallel ranks
 * ({@code engine="0"}, {@code engine="1"}) are summed; KV usage is averaged.
 */
public final class EngineMetricsParser {
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private EngineMetricsParser() {}

  public static EngineSample parse(EngineKind engine, String text, long nowNanos) {
    Totals totals = new Totals();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      if (space <= 0) {
        continue;
      }
      String name = brace > 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
      double value;
      try {
        value = Double.parseDouble(line.substring(space + 1));
      } catch (NumberFormatException e) {
        continue;
      }
      if (engine == EngineKind.SGLANG) {
        sglang(totals, name, value);
      } else {
        vllm(totals, name, line, value);
      }
    }
    return totals.sample(nowNanos);
  }

  private static void vllm(Totals t, String name, String line, double value) {
    switch (name) {
      case "vllm:num_requests_running" -> t.running += value;
      case "vllm:num_requests_waiting" -> t.waiting += value;
      case "vllm:kv_cache_usage_perc" -> t.kv(value, true);
      case "vllm:gpu_cache_usage_perc" -> t.kv(value, false);
      case "vllm:prefix_cache_queries_total" -> t.queries += value;
      case "vllm:prefix_cache_hits_total" -> t.hits += value;
      case "vllm:num_preemptions_total" -> t.preemptions += value;
      case "vllm:lora_requests_info" -> {
        t.adapters.addAll(list(label(line, "running_lora_adapters")));
        t.adapters.addAll(list(label(line, "waiting_lora_adapters")));
      }
      case "vllm:cache_config_info" -> {
        long blocks = parseLong(label(line, "num_gpu_blocks"));
        long blockSize = parseLong(label(line, "block_size"));
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

  private static String label(String line, String name) {
    int end = line.indexOf('}');
    Matcher matcher = LABEL.matcher(end < 0 ? line : line.substring(0, end));
    while (matcher.find()) {
      if (matcher.group(1).equals(name)) {
        return matcher.group(2);
      }
    }
    return null;
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

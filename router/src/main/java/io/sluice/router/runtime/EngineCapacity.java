package io.sluice.router.runtime;

import io.sluice.crd.EngineKind;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an engine's KV-cache size in tokens from its Prometheus text: vLLM's
 * {@code vllm:cache_config_info} (num_gpu_blocks x block_size labels) or SGLang's
 * {@code sglang:max_total_num_tokens}.
 */
public final class EngineCapacity {
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private EngineCapacity() {}

  public static OptionalLong kvTokens(EngineKind engine, String metricsText) {
    for (String line : metricsText.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      if (engine == EngineKind.VLLM && line.startsWith("vllm:cache_config_info{")) {
        long blocks = label(line, "num_gpu_blocks");
        long blockSize = label(line, "block_size");
        if (blocks > 0 && blockSize > 0) {
          return OptionalLong.of(blocks * blockSize);
        }
      }
      if (engine == EngineKind.SGLANG && line.startsWith("sglang:max_total_num_tokens")) {
        String[] parts = line.trim().split("\\s+");
        try {
          double value = Double.parseDouble(parts[parts.length - 1]);
          if (value > 0) {
            return OptionalLong.of((long) value);
          }
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  private static long label(String line, String name) {
    int end = line.indexOf('}');
    Matcher matcher = LABEL.matcher(end < 0 ? line : line.substring(0, end));
    while (matcher.find()) {
      if (matcher.group(1).equals(name)) {
        try {
          return Long.parseLong(matcher.group(2));
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}

package io.sluice.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sluice.crd.EngineKind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EngineMetricsParserTest {

  private static EngineSample parse(EngineKind engine, String file) throws Exception {
    return EngineMetricsParser.parse(engine, Files.readString(Path.of("src/test/resources/metrics", file)), 42);
  }

  @Test
  void vllmV1SumsDataParallelRanks() throws Exception {
    EngineSample sample = parse(EngineKind.VLLM, "vllm-v1.txt");
    assertThat(sample.running()).isEqualTo(21);
    assertThat(sample.waiting()).isEqualTo(4);
    assertThat(sample.kvCacheUsage()).isCloseTo(0.5, within(1e-9));
    assertThat(sample.prefixHitRate()).isCloseTo(0.4, within(1e-9));
    assertThat(sample.preemptions()).isEqualTo(4.0);
    assertThat(sample.loadedAdapters()).containsExactlyInAnyOrder("sql-lora", "chat-lora");
    assertThat(sample.kvCapacityTokens()).isEqualTo(27577L * 16);
    assertThat(sample.scrapedAtNanos()).isEqualTo(42);
  }

  @Test
  void olderVllmNamesStillRead() throws Exception {
    EngineSample sample = parse(EngineKind.VLLM, "vllm-v0.txt");
    assertThat(sample.running()).isEqualTo(5);
    assertThat(sample.waiting()).isEqualTo(2);
    assertThat(sample.kvCacheUsage()).isEqualTo(0.25);
    assertThat(sample.prefixHitRate()).isEqualTo(-1);
    assertThat(sample.kvCapacityTokens()).isEqualTo(32000);
  }

  @Test
  void currentKvNameWinsWhenBothAreExported() {
    String both = "vllm:gpu_cache_usage_perc{engine=\"0\"} 0.9\nvllm:kv_cache_usage_perc{engine=\"0\"} 0.2\n"
        + "vllm:gpu_cache_usage_perc{engine=\"1\"} 0.9\n";
    assertThat(EngineMetricsParser.parse(EngineKind.VLLM, both, 0).kvCacheUsage()).isEqualTo(0.2);
  }

  @Test
  void sglangNames() throws Exception {
    EngineSample sample = parse(EngineKind.SGLANG, "sglang.txt");
    assertThat(sample.running()).isEqualTo(7);
    assertThat(sample.waiting()).isEqualTo(2);
    assertThat(sample.kvCacheUsage()).isEqualTo(0.45);
    assertThat(sample.prefixHitRate()).isEqualTo(0.3);
    assertThat(sample.kvCapacityTokens()).isEqualTo(412345);
  }

  @Test
  void garbageAndEmptyPagesGiveUnknowns() {
    EngineSample sample = EngineMetricsParser.parse(EngineKind.VLLM, "not prometheus\n{}\nvllm:num_requests_running x\n", 0);
    assertThat(sample.running()).isZero();
    assertThat(sample.kvCacheUsage()).isEqualTo(-1);
    assertThat(sample.kvCapacityTokens()).isZero();
  }
}

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
  @Test
  void aTimestampedSampleIsReadByItsValue() {
    String page = "vllm:num_requests_running{engine=\"0\"} 3 1700000000000\n"
        + "vllm:kv_cache_usage_perc{engine=\"0\"} 0.5 1700000000000\n";
    EngineSample sample = EngineMetricsParser.parse(EngineKind.VLLM, page, 0);
    assertThat(sample.running()).isEqualTo(3);
    assertThat(sample.kvCacheUsage()).isEqualTo(0.5);
  }

  @Test
  void aBraceInsideAQuotedLabelValueDoesNotEndTheLabels() {
    String page = "vllm:cache_config_info{note=\"a}b\",block_size=\"16\",num_gpu_blocks=\"100\"} 1.0\n";
    assertThat(EngineMetricsParser.parse(EngineKind.VLLM, page, 0).kvCapacityTokens()).isEqualTo(1600);
  }

  @Test
  void onlyTheNewestLoraSeriesCounts() {
    // vLLM leaves every label set it ever set on the page; the value is when it was last current.
    String page = "vllm:lora_requests_info{max_lora=\"2\",running_lora_adapters=\"old-a,old-b\","
        + "waiting_lora_adapters=\"old-c\"} 1.7000000001e+09\n"
        + "vllm:lora_requests_info{max_lora=\"2\",running_lora_adapters=\"sql-lora\","
        + "waiting_lora_adapters=\"\"} 1.7000000500e+09\n"
        + "vllm:lora_requests_info{max_lora=\"2\",running_lora_adapters=\"\",waiting_lora_adapters=\"\"} "
        + "1.7000000002e+09\n";
    assertThat(EngineMetricsParser.parse(EngineKind.VLLM, page, 0).loadedAdapters()).containsExactly("sql-lora");
  }

  @Test
  void theNewestLoraSeriesIsTakenPerDataParallelRankWhenRanksAreNamed() {
    String page = "vllm:lora_requests_info{engine=\"0\",running_lora_adapters=\"a\",waiting_lora_adapters=\"\"} 20\n"
        + "vllm:lora_requests_info{engine=\"0\",running_lora_adapters=\"stale\",waiting_lora_adapters=\"\"} 10\n"
        + "vllm:lora_requests_info{engine=\"1\",running_lora_adapters=\"b\",waiting_lora_adapters=\"c\"} 15\n";
    assertThat(EngineMetricsParser.parse(EngineKind.VLLM, page, 0).loadedAdapters())
        .containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void realVllmV1Pages() throws Exception {
    EngineSample head = parse(EngineKind.VLLM, "real-vllm-v1-head.txt");
    assertThat(head.running()).isZero();
    assertThat(head.waiting()).isZero();
    assertThat(head.kvCacheUsage()).isZero();
    assertThat(head.preemptions()).isZero();
    assertThat(head.prefixHitRate()).isEqualTo(-1); // no query yet: 0 of 0
    EngineSample docs = parse(EngineKind.VLLM, "real-vllm-v1-docs.txt");
    assertThat(docs.running()).isEqualTo(8);
    assertThat(docs.kvCacheUsage()).isEqualTo(-1);
    assertThat(docs.kvCapacityTokens()).isZero(); // that excerpt elides num_gpu_blocks
  }

  @Test
  void realSglangPage() throws Exception {
    EngineSample sample = parse(EngineKind.SGLANG, "real-sglang.txt");
    assertThat(sample.running()).isEqualTo(162);
    assertThat(sample.waiting()).isEqualTo(2826);
    assertThat(sample.kvCacheUsage()).isEqualTo(0.28);
    assertThat(sample.prefixHitRate()).isEqualTo(0.007507552643049313);
    assertThat(sample.kvCapacityTokens()).isZero(); // this SGLang version does not export max_total_num_tokens
  }
}

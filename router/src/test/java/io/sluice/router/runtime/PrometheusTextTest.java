package io.sluice.router.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.runtime.PrometheusText.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  private static Sample only(String text) {
    List<Sample> samples = PrometheusText.parse(text).samples();
    assertThat(samples).hasSize(1);
    return samples.get(0);
  }

  @Test
  void aTimestampIsNotTheValue() {
    Sample s = only("vllm:num_requests_running{engine=\"0\"} 3 1700000000000\n");
    assertThat(s.value()).isEqualTo(3);
    assertThat(s.timestampMillis()).isEqualTo(OptionalLong.of(1700000000000L));
    assertThat(only("up 1 -5").timestampMillis()).isEqualTo(OptionalLong.of(-5));
    assertThat(only("up 1").timestampMillis()).isEmpty();
  }

  @Test
  void escapesInLabelValues() {
    Sample s = only("m{a=\"x\\\"y\",b=\"p\\\\q\",c=\"line\\nbreak\",d=\"\\t\"} 1\n");
    assertThat(s.labels()).containsExactly(Map.entry("a", "x\"y"), Map.entry("b", "p\\q"),
        Map.entry("c", "line\nbreak"), Map.entry("d", "\\t"));
  }

  @Test
  void bracesCommasAndSpacesInsideQuotedValues() {
    Sample s = only("vllm:lora_requests_info{running_lora_adapters=\"a} b,c\",waiting_lora_adapters=\" {x=\\\"1\\\"} \"} 7\n");
    assertThat(s.label("running_lora_adapters")).isEqualTo("a} b,c");
    assertThat(s.label("waiting_lora_adapters")).isEqualTo(" {x=\"1\"} ");
    assertThat(s.value()).isEqualTo(7);
  }

  @Test
  void specialValues() {
    assertThat(only("a NaN").value()).isNaN();
    assertThat(only("a +Inf").value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(only("a -Inf").value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(only("a{le=\"+Inf\"} 4").label("le")).isEqualTo("+Inf");
    assertThat(only("a 1.732e+09").value()).isEqualTo(1.732e9);
    assertThat(only("a -2e-3").value()).isEqualTo(-0.002);
  }

  @Test
  void commentsHelpAndTypeInAnyOrderAreSkipped() {
    String text = "# TYPE b counter\n# a free comment\nb_total 2\n# HELP b Things.\n  # indented comment\n"
        + "# HELP c gauge without TYPE\nc 3\n# TYPE late gauge\n";
    assertThat(PrometheusText.parse(text).samples()).extracting(Sample::name).containsExactly("b_total", "c");
  }

  @Test
  void emptyLabelSetsAndTrailingCommas() {
    assertThat(only("name{} 1").labels()).isEmpty();
    assertThat(only("name{a=\"1\",} 2").labels()).containsExactly(Map.entry("a", "1"));
    assertThat(only("name { a = \"1\" , b=\"2\" }\t3").labels()).containsOnlyKeys("a", "b");
  }

  @Test
  void crlfLineEnds() {
    List<Sample> samples = PrometheusText.parse("# HELP a x\r\na{k=\"v\"} 1\r\nb 2 17\r\n").samples();
    assertThat(samples).extracting(Sample::value).containsExactly(1.0, 2.0);
    assertThat(samples.get(1).timestampMillis()).isEqualTo(OptionalLong.of(17));
  }

  @Test
  void linesItCannotReadAreSkippedNeverThrown() {
    String text = String.join("\n", "not prometheus", "{}", "x", "x y", "x 1d", "x 0x1p3", "x Infinity",
        "x 1 2 3", "x 1 notatime", "x{a=\"unterminated} 1", "x{a=1} 1", "x{a=\"1\"b=\"2\"} 1",
        "x{a=\"1\",a=\"2\"} 1", "x{=\"1\"} 1", "9x 1", "x-y 1", "x{a=\"1\"}", "x{", "\\", "good 5", "");
    assertThat(PrometheusText.parse(text).samples()).extracting(Sample::name, Sample::value)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("good", 5.0));
    assertThat(PrometheusText.parse("").samples()).isEmpty();
  }

  @Test
  void sumsByNameAndLabels() {
    PrometheusText page = PrometheusText.parse("r{api=\"chat\",status=\"200\"} 2\nr{api=\"chat\",status=\"503\"} 1\n"
        + "r{api=\"embed\",status=\"200\"} 4\nr_other{api=\"chat\"} 100\n");
    assertThat(page.sum("r")).isEqualTo(7);
    assertThat(page.sum("r", "api", "chat")).isEqualTo(3);
    assertThat(page.sum("r", "api", "chat", "status", "503")).isEqualTo(1);
    assertThat(page.sum("r", "api", "none")).isZero();
    assertThat(page.sum("missing")).isZero();
  }

  @Test
  void aNameFilterLeavesOtherSamplesOut() {
    PrometheusText page = PrometheusText.parse("a 1\nb{x=\"y\"} 2\nc 3\n", name -> !name.equals("b"));
    assertThat(page.samples()).extracting(Sample::name).containsExactly("a", "c");
  }
  private static PrometheusText page(String file) throws Exception {
    return PrometheusText.parse(Files.readString(Path.of("src/test/resources/metrics", file)));
  }

  @Test
  void aRealSglangPage() throws Exception {
    PrometheusText page = page("real-sglang.txt");
    assertThat(page.samples()).hasSize(91);
    assertThat(page.sum("sglang:time_to_first_token_seconds_bucket", "le", "+Inf")).isEqualTo(11008);
    assertThat(page.sum("sglang:func_latency_seconds_bucket", "le", "0.07500000000000001", "name", "generate_request"))
        .isEqualTo(14006);
    assertThat(page.sum("sglang:prompt_tokens_total")).isEqualTo(8.128902e6);
  }

  @Test
  void realVllmV1Pages() throws Exception {
    PrometheusText docs = page("real-vllm-v1-docs.txt");
    assertThat(docs.samples()).hasSize(14); // the "..." lines and the elided cache_config_info are skipped
    assertThat(docs.sum("vllm:request_success_total", "finished_reason", "length")).isEqualTo(131);
    PrometheusText head = page("real-vllm-v1-head.txt");
    assertThat(head.samples()).hasSize(13);
    assertThat(head.samples("vllm:prefix_cache_queries_created", "engine", "0").get(0).value())
        .isEqualTo(1.7769301736864316e9);
  }
}

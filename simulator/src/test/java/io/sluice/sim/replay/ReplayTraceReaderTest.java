package io.sluice.sim.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayTraceReaderTest {
  static Path smallTrace() throws Exception {
    return Path.of(ReplayTraceReaderTest.class.getResource("/traces/small.csv").toURI());
  }

  @Test
  void readsAzureFormatSortedWithOffsetsFromTheFirstArrival() throws Exception {
    List<TraceRecord> trace = TraceReader.read(smallTrace());

    assertThat(trace).containsExactly(
        new TraceRecord(0, 374, 44),
        new TraceRecord(500_000_000L, 396, 20),
        new TraceRecord(1_000_000_000L, 120, 16),
        new TraceRecord(2_000_000_000L, 800, 30),
        new TraceRecord(2_250_000_000L, 60, 8),
        new TraceRecord(4_000_000_000L, 200, 12));
  }

  @Test
  void keepsSubMicrosecondFractions() throws Exception {
    List<TraceRecord> trace = TraceReader.read(new StringReader("""
        TIMESTAMP,ContextTokens,GeneratedTokens
        2023-11-16 18:15:46.0000000,1,1
        2023-11-16 18:15:46.0000005,2,2
        """), "inline");

    assertThat(trace.get(1).offsetNanos()).isEqualTo(500);
  }

  @Test
  void findsColumnsByHeaderName() throws Exception {
    List<TraceRecord> trace = TraceReader.read(new StringReader("""
        GeneratedTokens,TIMESTAMP,ContextTokens
        7,2023-11-16 18:15:46,100
        9,2023-11-16 18:15:47,200
        """), "inline");

    assertThat(trace).containsExactly(new TraceRecord(0, 100, 7), new TraceRecord(1_000_000_000L, 200, 9));
  }

  @Test
  void acceptsSecondsWithoutHeader() throws Exception {
    List<TraceRecord> trace = TraceReader.read(new StringReader("10.5,100,7\n12,200,9\n"), "inline");

    assertThat(trace).containsExactly(new TraceRecord(0, 100, 7), new TraceRecord(1_500_000_000L, 200, 9));
  }

  @Test
  void namesTheLineThatCannotBeParsed() {
    assertThatThrownBy(() -> TraceReader.read(new StringReader("""
        TIMESTAMP,ContextTokens,GeneratedTokens
        2023-11-16 18:15:46,100,7
        2023-11-16 18:15:47,lots,9
        """), "bad.csv"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.csv:3");
  }

  @Test
  void refusesAHeaderWithoutTheTokenColumns() {
    assertThatThrownBy(() -> TraceReader.read(new StringReader("TIMESTAMP,Tokens\n"), "h.csv"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contexttokens");
  }
}

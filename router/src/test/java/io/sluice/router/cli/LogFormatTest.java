package io.sluice.router.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** issue 16: {@code serve --log-format json} writes one JSON object per log line, for log pipelines. */
class LogFormatTest {

  @Test
  void jsonWritesEachEventAsOneJsonObjectPerLine() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>)
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    Encoder<ILoggingEvent> text = console.getEncoder();
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      ServeCommand.applyLogFormat(ServeCommand.LogFormat.json); // the appender restarts on the new System.out
      LoggerFactory.getLogger("sluice.test").warn("pool '{}' cannot serve: {}", "qwen", "a \"quoted\"\nreason");
    } finally {
      console.stop();
      console.setEncoder(text);
      System.setOut(out);
      console.start();
    }
    String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertThat(lines).hasSize(1); // the newline in the message stays inside the JSON string
    JsonNode event = new ObjectMapper().readTree(lines[0]);
    assertThat(event.get("level").asText()).isEqualTo("WARN");
    assertThat(event.get("loggerName").asText()).isEqualTo("sluice.test");
    assertThat(event.get("formattedMessage").asText()).isEqualTo("pool 'qwen' cannot serve: a \"quoted\"\nreason");
    assertThat(event.get("timestamp").asLong()).isPositive();
  }
}

package io.sluice.crd;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.time.Duration;

/** Binds {@code 30s}-style strings to {@link Duration}; anything else is reported, not guessed. */
public final class DurationDeserializer extends StdScalarDeserializer<Duration> {

  public DurationDeserializer() {
    super(Duration.class);
  }

  @Override
  public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
    }
    try {
      return Durations.parse(p.getText());
    } catch (IllegalArgumentException e) {
      return (Duration) ctxt.handleWeirdStringValue(Duration.class, p.getText(), "write e.g. 500ms, 30s, 5m or 1h30m");
    }
  }
}

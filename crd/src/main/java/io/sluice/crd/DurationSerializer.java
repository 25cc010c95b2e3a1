package io.sluice.crd;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Duration;

/** Writes a {@link Duration} the way {@link Durations#parse} reads it ({@code 30s}). */
public final class DurationSerializer extends StdSerializer<Duration> {
  public DurationSerializer() {
    super(Duration.class);
  }

  @Override
  public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
    gen.writeString(Durations.format(value));
  }
}

package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The serving engine behind a pool's pods; decides metric names and tokenize endpoints. */
public enum EngineKind {
  VLLM,
  SGLANG,
  GENERIC;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static EngineKind fromWire(String value) {
    for (EngineKind kind : values()) {
      if (kind.wireName().equals(value)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "must be one of " + Arrays.stream(values()).map(EngineKind::wireName).collect(Collectors.joining(", ")));
  }
}

package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A pod's token budget: a fixed number of tokens, or {@code auto} (read from the engine: KV-cache
 * blocks x block size, times the pool's utilization).
 */
public record TokenBudget(long tokens) {
  /** The value standing for {@code auto}. */
  public static final TokenBudget AUTO = new TokenBudget(-1);

  public boolean auto() {
    return tokens < 0;
  }

  @JsonCreator
  public static TokenBudget of(Object value) {
    if (value instanceof Number number && number.longValue() > 0 && number.doubleValue() == number.longValue()) {
      return new TokenBudget(number.longValue());
    }
    if ("auto".equals(value)) {
      return AUTO;
    }
    throw new IllegalArgumentException("must be a whole number of tokens above zero, or auto");
  }

  @JsonValue
  public Object wire() {
    return auto() ? "auto" : tokens;
  }
}

package io.sluice.scoring;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One plugin entry of a profile. Bound from YAML either as an object or as a bare type name
 * ({@code filters: [token-budget]}).
 *
 * @param name the plugin type
 * @param weight the scorer's weight (scorers only); null means 1
 * @param args the type's arguments; null means none (the type's defaults)
 */
public record PluginConfig(
    @JsonProperty("name") String name,
    @JsonProperty("weight") Double weight,
    @JsonProperty("args") Map<String, Object> args) {

  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public PluginConfig {
    args = args == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(args));
  }

  /** The bare-name form: {@code token-budget}. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static PluginConfig of(String name) {
    return new PluginConfig(name, null, null);
  }

  /** A scorer entry with a weight and no arguments. */
  public static PluginConfig of(String name, double weight) {
    return new PluginConfig(name, weight, null);
  }

  /** The weight, 1 when not given. */
  public double weightOrDefault() {
    return weight == null ? 1.0 : weight;
  }
}

package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The pool's scoring profile: filters, weighted scorers and a picker, each a plugin by name with
 * its arguments. Left out, the router's default profile applies.
 */
public record ScoringSpec(
    @JsonPropertyDescription("Filters, in order; each removes pods that must not take the request")
        List<PluginRef> filters,
    @JsonPropertyDescription("Scorers with weights; scores in [0,1] are summed by weight") List<PluginRef> scorers,
    @JsonPropertyDescription("Chooses among the scored pods") PluginRef picker) {

  public ScoringSpec {
    filters = filters == null ? null : Collections.unmodifiableList(new ArrayList<>(filters));
    scorers = scorers == null ? null : Collections.unmodifiableList(new ArrayList<>(scorers));
  }

  /**
   * A plugin by name, with its weight (scorers) and arguments.
   *
   * @param name plugin type, e.g. {@code token-budget}
   * @param weight scorers only; default 1
   * @param args plugin-specific arguments
   */
  public record PluginRef(
      @JsonPropertyDescription("Plugin type, e.g. token-budget") String name,
      @JsonPropertyDescription("Scorers only: weight of the score (default 1)") Double weight,
      @JsonPropertyDescription("Plugin-specific arguments")
          @SchemaFrom(type = JsonNode.class) Map<String, Object> args) {

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public PluginRef {
    }

    /** A bare name in YAML ({@code filters: [token-budget]}) is a plugin without arguments. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static PluginRef named(String name) {
      return new PluginRef(name, null, null);
    }
  }
}

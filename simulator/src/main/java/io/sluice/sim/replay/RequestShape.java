package io.sluice.sim.replay;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * How each arrival becomes a chat completion request.
 *
 * @param maxTokens {@link #FROM_TRACE} to send the trace's output length as {@code max_tokens},
 *                  {@link #OMIT} to send none, or a fixed value
 */
public record RequestShape(String model, boolean stream, int maxTokens) {
  public static final int FROM_TRACE = -1;
  public static final int OMIT = 0;

  /** Parses {@code trace}, {@code none} or a number. */
  public static int parseMaxTokens(String spec) {
    return switch (spec) {
      case "trace" -> FROM_TRACE;
      case "none" -> OMIT;
      default -> {
        int n = Integer.parseInt(spec);
        if (n < 1) {
          throw new IllegalArgumentException("max tokens must be trace, none or a positive number: " + spec);
        }
        yield n;
      }
    };
  }

  /** The JSON body for {@code arrival}. */
  public String body(Arrival arrival) {
    JsonObject body = new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", SyntheticPrompt.of(arrival.index(), arrival.promptTokens()))));
    if (maxTokens == FROM_TRACE) {
      body.put("max_tokens", Math.max(1, arrival.outputTokens()));
    } else if (maxTokens != OMIT) {
      body.put("max_tokens", maxTokens);
    }
    return body.encode();
  }
}

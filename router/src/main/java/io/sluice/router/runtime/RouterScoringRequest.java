package io.sluice.router.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.router.api.InferenceRequest;
import io.sluice.scoring.ScoreSink;
import io.sluice.scoring.ScoringRequest;

/**
 * A request as the scoring plugins see it. The prompt text (message contents, or the prompt, in
 * order, at most {@value #MAX_PROMPT_CHARS} characters: prefix plugins only look at the start) is
 * built on first use. It also keeps how the pod last chosen for it scored, for the live page
 * (written by whichever thread picked; read on the request's event loop after the hand-over).
 */
public final class RouterScoringRequest implements ScoringRequest, ScoreSink {
  static final int MAX_PROMPT_CHARS = 64 * 1024;

  private final InferenceRequest request;
  private final String adapter;
  private final long reservationTokens;
  private final long promptTokens;
  private final Caller caller;
  private final String sessionKey;
  private String promptText;
  private volatile String[] scorerTypes;
  private volatile double[] scores;

  public RouterScoringRequest(InferenceRequest request, boolean isAdapter, long reservationTokens,
      long promptTokens, Caller caller, String sessionKey) {
    this.request = request;
    this.adapter = isAdapter ? request.model() : null;
    this.reservationTokens = reservationTokens;
    this.promptTokens = promptTokens;
    this.caller = caller;
    this.sessionKey = sessionKey;
  }

  @Override
  public void chosen(String endpointId, String[] scorerTypes, double[] scores, double total) {
    this.scores = scores;
    this.scorerTypes = scorerTypes;
  }

  /** The scorers of the last pick for this request, or null before any pick. */
  public String[] scorerTypes() {
    return scorerTypes;
  }

  /** Each scorer's score of the pod last chosen for this request (aligned with {@link #scorerTypes}), or null. */
  public double[] scores() {
    return scores;
  }

  @Override
  public String model() {
    return request.model();
  }

  @Override
  public String adapter() {
    return adapter;
  }

  @Override
  public long reservationTokens() {
    return reservationTokens;
  }

  @Override
  public long promptTokens() {
    return promptTokens;
  }

  @Override
  public CharSequence promptText() {
    if (promptText == null) {
      StringBuilder text = new StringBuilder();
      JsonNode body = request.body();
      JsonNode messages = body.get("messages");
      if (messages != null && messages.isArray()) {
        for (JsonNode message : messages) {
          appendText(message.get("content"), text);
        }
      } else {
        appendText(body.has("prompt") ? body.get("prompt") : body.get("input"), text);
      }
      promptText = text.length() > MAX_PROMPT_CHARS ? text.substring(0, MAX_PROMPT_CHARS) : text.toString();
    }
    return promptText;
  }

  private static void appendText(JsonNode node, StringBuilder out) {
    if (node == null || out.length() > MAX_PROMPT_CHARS) {
      return;
    }
    if (node.isTextual()) {
      out.append(node.asText()).append('\n');
    } else if (node.isArray()) {
      for (JsonNode part : node) {
        appendText(part.isObject() ? part.get("text") : part, out);
      }
    } else if (node.isNumber()) {
      out.append(node.asText()).append(' ');
    }
  }

  @Override
  public String tenant() {
    return caller.tenant();
  }

  @Override
  public String sessionKey() {
    return sessionKey;
  }

  @Override
  public int priority() {
    return caller.priority();
  }
}

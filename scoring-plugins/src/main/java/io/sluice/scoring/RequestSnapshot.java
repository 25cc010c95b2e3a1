package io.sluice.scoring;

/** A plain immutable {@link ScoringRequest}, for tests, benchmarks and the offline simulator. */
public record RequestSnapshot(
    String model,
    String adapter,
    long reservationTokens,
    long promptTokens,
    CharSequence promptText,
    String tenant,
    String sessionKey,
    int priority)
    implements ScoringRequest {

  public RequestSnapshot {
    promptText = promptText == null ? "" : promptText;
  }

  /** A request for {@code model} reserving {@code tokens}, with no prompt text or session. */
  public static RequestSnapshot of(String model, long tokens) {
    return new RequestSnapshot(model, null, tokens, tokens, "", "default", null, 0);
  }

  public RequestSnapshot withPrompt(CharSequence text) {
    return new RequestSnapshot(
        model, adapter, reservationTokens, promptTokens, text, tenant, sessionKey, priority);
  }

  public RequestSnapshot withSession(String key) {
    return new RequestSnapshot(
        model, adapter, reservationTokens, promptTokens, promptText, tenant, key, priority);
  }

  public RequestSnapshot withAdapter(String name) {
    return new RequestSnapshot(
        model, name, reservationTokens, promptTokens, promptText, tenant, sessionKey, priority);
  }
}

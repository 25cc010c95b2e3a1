package io.sluice.router.api;

/** The inference APIs the router forwards, with the path clients call. */
public enum ApiKind {
  CHAT("/v1/chat/completions", "chat"),
  COMPLETIONS("/v1/completions", "completions"),
  EMBEDDINGS("/v1/embeddings", "embeddings"),
  /** OpenAI's Responses API: a chat whose {@code instructions} are the system message. */
  RESPONSES("/v1/responses", "responses");

  private final String path;
  private final String label;

  ApiKind(String path, String label) {
    this.path = path;
    this.label = label;
  }

  public String path() {
    return path;
  }

  /** Short name for logs and metric tags. */
  public String label() {
    return label;
  }
}

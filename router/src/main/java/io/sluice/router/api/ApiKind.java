package io.sluice.router.api;

/**
 * The inference APIs the router forwards, with the path clients call and how the router treats
 * them: whether the request is admitted against the pods' token budgets (else it passes through to
 * a pod of its model's pool without a reservation), whether it generates tokens (streams, output
 * prediction), and whether its body is JSON or a multipart form.
 */
public enum ApiKind {
  CHAT("/v1/chat/completions", "chat", true, true, false),
  COMPLETIONS("/v1/completions", "completions", true, true, false),
  EMBEDDINGS("/v1/embeddings", "embeddings", true, false, false),
  /** OpenAI's Responses API: a chat whose {@code instructions} are the system message. */
  RESPONSES("/v1/responses", "responses", true, true, false),
  /** vLLM and SGLang: text or messages to token ids. Cheap for the engine: not admitted. */
  TOKENIZE("/tokenize", "tokenize", false, false, false),
  DETOKENIZE("/detokenize", "detokenize", false, false, false),
  RERANK("/rerank", "rerank", true, false, false),
  RERANK_V1("/v1/rerank", "rerank", true, false, false),
  SCORE("/score", "score", true, false, false),
  SCORE_V1("/v1/score", "score", true, false, false),
  POOLING("/pooling", "pooling", true, false, false),
  CLASSIFY("/classify", "classify", true, false, false),
  /** A multipart form with the audio file; admitted at a flat cost (RouterSettings audioTranscriptionTokens). */
  AUDIO_TRANSCRIPTIONS("/v1/audio/transcriptions", "transcriptions", true, false, true);

  private final String path;
  private final String label;
  private final boolean admitted;
  private final boolean generates;
  private final boolean multipart;

  ApiKind(String path, String label, boolean admitted, boolean generates, boolean multipart) {
    this.path = path;
    this.label = label;
    this.admitted = admitted;
    this.generates = generates;
    this.multipart = multipart;
  }

  public String path() {
    return path;
  }

  /** Short name for logs and metric tags; one per API, whichever of its paths was called. */
  public String label() {
    return label;
  }

  /** Whether it reserves its estimated tokens on a pod (and may queue); false: passed through. */
  public boolean admitted() {
    return admitted;
  }

  /** Whether it generates output tokens (a stream to watch, an output length to learn). */
  public boolean generates() {
    return generates;
  }

  /**
   * Whether a stream of it must be asked for its usage ({@code stream_options.include_usage}) to
   * be reconciled: what generates does, except the Responses API, whose last event always has it.
   */
  public boolean asksStreamUsage() {
    return generates && this != RESPONSES;
  }

  /** Whether its body is {@code multipart/form-data} (else JSON). */
  public boolean multipart() {
    return multipart;
  }
}

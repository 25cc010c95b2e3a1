package io.sluice.scoring;

/** The parts of a request that plugins may score on. Read-only. */
public interface ScoringRequest {
  /** The model name the client asked for. */
  String model();

  /** The LoRA adapter to run (the model name when it names an adapter), or null for a base model. */
  String adapter();

  /** Tokens the router will reserve for the request on the chosen pod. */
  long reservationTokens();

  /** Estimated prompt tokens. */
  long promptTokens();

  /**
   * The prompt as the router sees it (message contents concatenated). Plugins that need prefix
   * block hashes compute them from this text.
   */
  CharSequence promptText();

  /** The tenant the request is charged to. */
  String tenant();

  /** Key that ties a conversation together (a session header), or null. */
  String sessionKey();

  /** Priority of the request's traffic class; larger is more important. */
  int priority();
}

package io.sluice.router.api;

/** A request the router refuses; carries the OpenAI-format error to answer with. */
public final class ApiException extends RuntimeException {
  private final transient OpenAiError error;

  public ApiException(OpenAiError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public OpenAiError error() {
    return error;
  }
}

package io.sluice.router.api;

import java.util.concurrent.CompletionException;

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

  /**
   * The refusal {@code failure} carries, or null: a future's failure may come wrapped in a
   * {@link CompletionException}.
   */
  public static ApiException in(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof ApiException refused ? refused : null;
  }
}

package io.sluice.router.estimate.jinja;

/**
 * A template that cannot be parsed, that raised while rendering, or that ran past its {@link Limits}.
 * The kind tells a caller whose fault it is: a {@link Kind#RAISED} or {@link Kind#RUNTIME} error
 * comes from the request's data (the engine would refuse the same request), a {@link Kind#SYNTAX}
 * error from the template itself, a {@link Kind#LIMIT} from Sluice's own bounds.
 */
public final class TemplateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why rendering stopped. */
  public enum Kind {
    /** The template's source is not Jinja this renderer understands. */
    SYNTAX,
    /** The template called {@code raise_exception(message)}. */
    RAISED,
    /** An operation failed on the data: a type error, an undefined value's attribute, ... */
    RUNTIME,
    /** The render ran past a bound of {@link Limits}: output size, steps, depth or time. */
    LIMIT
  }

  private final Kind kind;

  public TemplateException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}

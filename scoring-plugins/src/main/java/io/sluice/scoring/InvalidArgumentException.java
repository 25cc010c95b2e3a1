package io.sluice.scoring;

/** A plugin argument has a value the plugin cannot use; names the argument. */
public final class InvalidArgumentException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String argument;
  private final String problem;

  /**
   * @param argument the argument's name as written in the profile, e.g. {@code blockTokens}
   * @param problem what is wrong, e.g. {@code must be at least 1, got 0}
   */
  public InvalidArgumentException(String argument, String problem) {
    super(argument + ": " + problem);
    this.argument = argument;
    this.problem = problem;
  }

  public String argument() {
    return argument;
  }

  public String problem() {
    return problem;
  }
}

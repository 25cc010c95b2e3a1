package io.sluice.scoring;

import java.util.List;

/**
 * A profile cannot be built. Lists every problem found, each naming the field ({@code
 * scorers[0].args.blockTokens}), the plugin type, and what is wrong.
 */
public final class ProfileException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ProfileException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per problem, in the order of the profile's fields. */
  public List<String> problems() {
    return problems;
  }
}

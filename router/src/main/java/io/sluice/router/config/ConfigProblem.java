package io.sluice.router.config;

/**
 * One mistake in a configuration file, with where it is.
 *
 * @param source file name (or another label for the text)
 * @param line 1-based line, or 0 when unknown
 * @param column 1-based column, or 0 when unknown
 * @param path where in the resource, e.g. {@code ModelPool/qwen spec.endpoints[1]}
 * @param message what is wrong, in words an operator can act on
 */
public record ConfigProblem(String source, int line, int column, String path, String message) {

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(source);
    if (line > 0) {
      out.append(':').append(line);
      if (column > 0) {
        out.append(':').append(column);
      }
    }
    out.append(": ");
    if (!path.isEmpty()) {
      out.append(path).append(": ");
    }
    return out.append(message).toString();
  }
}

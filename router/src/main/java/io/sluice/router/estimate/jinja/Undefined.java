package io.sluice.router.estimate.jinja;

/**
 * A name or member a template looked up and did not find. As in Jinja's default {@code Undefined}
 * it is false, empty and prints as nothing, and anything more (its attributes, arithmetic, JSON)
 * is an error naming what was missing.
 */
final class Undefined {
  final String what;

  Undefined(String what) {
    this.what = what;
  }

  TemplateException error() {
    return new TemplateException(TemplateException.Kind.RUNTIME, what + " is undefined");
  }

  @Override
  public String toString() {
    return "";
  }
}

package io.sluice.router.estimate.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code namespace(...)} makes: the one object a template may change ({@code set ns.x = ...}). */
final class Namespace {
  final Map<String, Object> attributes = new LinkedHashMap<>();

  @Override
  public String toString() {
    return "<Namespace " + attributes + ">";
  }
}

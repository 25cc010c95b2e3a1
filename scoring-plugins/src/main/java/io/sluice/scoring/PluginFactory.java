package io.sluice.scoring;

import java.util.Set;

/**
 * Makes instances of one plugin type. Found with {@link java.util.ServiceLoader}: list the
 * implementation in {@code META-INF/services/io.sluice.scoring.PluginFactory}; it needs a public
 * no-argument constructor. Each configured use of the type in a profile gets its own instance, so
 * state kept by an instance belongs to that profile.
 */
public interface PluginFactory {
  /** The name profiles use, e.g. {@code token-budget}: lower case letters, digits and dashes. */
  String type();

  /** What the type can be used as; one type may be several (token-budget filters and scores). */
  Set<Kind> kinds();

  /**
   * The class the {@code args} map of a profile entry is bound to with Jackson (unknown
   * properties are errors): usually a record whose compact constructor applies defaults and
   * validates with {@link PluginArgs}. {@link NoArgs} when the type takes none.
   */
  Class<?> argsType();

  /**
   * A new instance implementing {@code kind}'s interface ({@link Kind#contract()}); {@code kind}
   * is one of {@link #kinds()} and {@code args} an instance of {@link #argsType()}.
   *
   * @throws IllegalArgumentException when the arguments cannot work together; {@link
   *     InvalidArgumentException} names the argument at fault
   */
  Object create(Kind kind, Object args);
}

package io.sluice.scoring;

import java.util.Set;
import java.util.function.Supplier;

/**
 * Base of factories for scorers that take no arguments: a type name and a constructor. Subclasses
 * still get their own class (ServiceLoader instantiates each by its no-argument constructor).
 */
public abstract class NoArgsScorerFactory implements PluginFactory {
  private final String type;
  private final Supplier<? extends Scorer> scorer;

  protected NoArgsScorerFactory(String type, Supplier<? extends Scorer> scorer) {
    this.type = type;
    this.scorer = scorer;
  }

  @Override
  public final String type() {
    return type;
  }

  @Override
  public final Set<Kind> kinds() {
    return Set.of(Kind.SCORER);
  }

  @Override
  public final Class<?> argsType() {
    return NoArgs.class;
  }

  @Override
  public final Object create(Kind kind, Object args) {
    return scorer.get();
  }
}

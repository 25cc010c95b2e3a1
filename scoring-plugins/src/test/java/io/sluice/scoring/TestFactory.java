package io.sluice.scoring;

import java.util.Set;
import java.util.function.BiFunction;

/** A factory made of lambdas, for registries built in tests. */
public record TestFactory(String type, Set<Kind> kinds, Class<?> argsType,
    BiFunction<Kind, Object, Object> maker) implements PluginFactory {

  public static TestFactory scorer(String type, Scorer scorer) {
    return new TestFactory(type, Set.of(Kind.SCORER), NoArgs.class, (k, a) -> scorer);
  }

  @Override
  public Object create(Kind kind, Object args) {
    return maker.apply(kind, args);
  }
}

package io.sluice.scoring.plugins.random;

import io.sluice.scoring.Kind;
import io.sluice.scoring.PluginFactory;
import java.util.Set;

/** Makes {@link RandomScorer} scorers. */
public final class RandomScorerFactory implements PluginFactory {
  @Override
  public String type() {
    return RandomScorer.TYPE;
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.SCORER);
  }

  @Override
  public Class<?> argsType() {
    return RandomScorer.Args.class;
  }

  @Override
  public Object create(Kind kind, Object args) {
    return new RandomScorer((RandomScorer.Args) args);
  }
}

package io.sluice.scoring.plugins.maxscore;

import io.sluice.scoring.Kind;
import io.sluice.scoring.PluginFactory;
import java.util.Set;

/** Makes {@link MaxScore} pickers. */
public final class MaxScoreFactory implements PluginFactory {
  @Override
  public String type() {
    return MaxScore.TYPE;
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.PICKER);
  }

  @Override
  public Class<?> argsType() {
    return MaxScore.Args.class;
  }

  @Override
  public Object create(Kind kind, Object args) {
    return new MaxScore((MaxScore.Args) args);
  }
}

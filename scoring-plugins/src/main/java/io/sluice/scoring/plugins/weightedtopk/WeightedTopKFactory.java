package io.sluice.scoring.plugins.weightedtopk;

import io.sluice.scoring.Kind;
import io.sluice.scoring.PluginFactory;
import java.util.Set;

/** Makes {@link WeightedTopK} pickers. */
public final class WeightedTopKFactory implements PluginFactory {
  @Override
  public String type() {
    return WeightedTopK.TYPE;
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.PICKER);
  }

  @Override
  public Class<?> argsType() {
    return WeightedTopK.Args.class;
  }

  @Override
  public Object create(Kind kind, Object args) {
    return new WeightedTopK((WeightedTopK.Args) args);
  }
}

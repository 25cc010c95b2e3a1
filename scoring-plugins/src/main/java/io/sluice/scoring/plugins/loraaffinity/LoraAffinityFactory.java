package io.sluice.scoring.plugins.loraaffinity;

import io.sluice.scoring.Kind;
import io.sluice.scoring.PluginFactory;
import java.util.Set;

/** Makes {@link LoraAffinity} scorers. */
public final class LoraAffinityFactory implements PluginFactory {
  @Override
  public String type() {
    return LoraAffinity.TYPE;
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.SCORER);
  }

  @Override
  public Class<?> argsType() {
    return LoraAffinity.Args.class;
  }

  @Override
  public Object create(Kind kind, Object args) {
    return new LoraAffinity((LoraAffinity.Args) args);
  }
}

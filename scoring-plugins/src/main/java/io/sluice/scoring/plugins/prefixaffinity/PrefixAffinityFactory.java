package io.sluice.scoring.plugins.prefixaffinity;

import io.sluice.scoring.Kind;
import io.sluice.scoring.PluginFactory;
import java.util.Set;

/** Makes {@link PrefixAffinity} scorers, each with its own block table. */
public final class PrefixAffinityFactory implements PluginFactory {
  @Override
  public String type() {
    return PrefixAffinity.TYPE;
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.SCORER);
  }

  @Override
  public Class<?> argsType() {
    return PrefixAffinity.Args.class;
  }

  @Override
  public Object create(Kind kind, Object args) {
    return new PrefixAffinity((PrefixAffinity.Args) args);
  }
}

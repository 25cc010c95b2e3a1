package io.sluice.scoring.plugins.sessionaffinity;

import com.github.benmanes.caffeine.cache.Ticker;
import io.sluice.scoring.Kind;
import io.sluice.scoring.PluginFactory;
import java.util.Set;

/** Makes {@link SessionAffinity} scorers, each with its own session table. */
public final class SessionAffinityFactory implements PluginFactory {
  @Override
  public String type() {
    return SessionAffinity.TYPE;
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.SCORER);
  }

  @Override
  public Class<?> argsType() {
    return SessionAffinity.Args.class;
  }

  @Override
  public Object create(Kind kind, Object args) {
    return new SessionAffinity((SessionAffinity.Args) args, Ticker.systemTicker());
  }
}

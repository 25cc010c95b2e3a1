package io.sluice.scoring.plugins.kvcache;

import io.sluice.scoring.Kind;
import io.sluice.scoring.NoArgs;
import io.sluice.scoring.PluginFactory;
import java.util.Set;

/** Makes {@link KvCache} scorers; no arguments. */
public final class KvCacheFactory implements PluginFactory {
  @Override
  public String type() {
    return KvCache.TYPE;
  }

  @Override
  public Set<Kind> kinds() {
    return Set.of(Kind.SCORER);
  }

  @Override
  public Class<?> argsType() {
    return NoArgs.class;
  }

  @Override
  public Object create(Kind kind, Object args) {
    return new KvCache();
  }
}

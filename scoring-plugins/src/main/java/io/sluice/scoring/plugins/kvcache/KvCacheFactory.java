package io.sluice.scoring.plugins.kvcache;

import io.sluice.scoring.NoArgsScorerFactory;

/** Makes {@link KvCache} scorers; no arguments. */
public final class KvCacheFactory extends NoArgsScorerFactory {
  public KvCacheFactory() {
    super(KvCache.TYPE, KvCache::new);
  }
}

package io.sluice.scoring.plugins.queuedepth;

import io.sluice.scoring.NoArgsScorerFactory;

/** Makes {@link QueueDepth} scorers; no arguments. */
public final class QueueDepthFactory extends NoArgsScorerFactory {
  public QueueDepthFactory() {
    super(QueueDepth.TYPE, QueueDepth::new);
  }
}

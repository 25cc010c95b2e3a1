package io.sluice.scoring.plugins.queuedepth;

import io.sluice.scoring.Kind;
import io.sluice.scoring.NoArgs;
import io.sluice.scoring.PluginFactory;
import java.util.Set;

/** Makes {@link QueueDepth} scorers; no arguments. */
public final class QueueDepthFactory implements PluginFactory {
  @Override
  public String type() {
    return QueueDepth.TYPE;
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
    return new QueueDepth();
  }
}

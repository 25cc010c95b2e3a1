package io.sluice.sim.cluster;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.Kind;
import io.sluice.scoring.NoArgs;
import io.sluice.scoring.PluginFactory;
import io.sluice.scoring.Picker;
import io.sluice.scoring.ScoringRequest;
import java.util.List;
import java.util.Set;

/**
 * The simulator's round-robin baseline as a picker: candidates in turn, scores ignored. Sluice has
 * no such plugin (a plain proxy's default), so it lives here and joins the registry only in the
 * simulator.
 */
final class RoundRobinPicker implements Picker {
  static final String TYPE = "round-robin";
  private long next;

  @Override
  public Endpoint pick(ScoringRequest request, List<Endpoint> candidates, double[] scores) {
    return candidates.isEmpty() ? null : candidates.get((int) (next++ % candidates.size()));
  }

  static final class Factory implements PluginFactory {
    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public Set<Kind> kinds() {
      return Set.of(Kind.PICKER);
    }

    @Override
    public Class<?> argsType() {
      return NoArgs.class;
    }

    @Override
    public Object create(Kind kind, Object args) {
      return new RoundRobinPicker();
    }
  }
}

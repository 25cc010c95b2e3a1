package io.sluice.scoring.plugins.loraaffinity;

import io.sluice.scoring.Endpoint;
import io.sluice.scoring.EngineMetrics;
import io.sluice.scoring.PluginArgs;
import io.sluice.scoring.ScoringRequest;
import io.sluice.scoring.Scorer;

/**
 * Keeps LoRA requests where their adapter is already loaded: 1 when the engine reports the
 * adapter loaded, 0.5 when it has a free adapter slot ({@code loadedAdapters < maxLoras}), 0
 * otherwise. Requests without an adapter score 1 everywhere; pods whose metrics are unknown score
 * 0.5 (the router cannot tell). Args: {@code maxLoras} (default 1, vLLM's default
 * {@code --max-loras}).
 */
public final class LoraAffinity implements Scorer {
  public static final String TYPE = "lora-affinity";
  static final double LOADED = 1.0;
  static final double FREE_SLOT = 0.5;

  /** @param maxLoras adapters an engine can hold at once */
  public record Args(Integer maxLoras) {
    public Args {
      maxLoras = PluginArgs.atLeast("maxLoras", maxLoras, 1, 1);
    }
  }

  private final int maxLoras;

  public LoraAffinity(Args args) {
    this.maxLoras = args.maxLoras();
  }

  @Override
  public double score(ScoringRequest request, Endpoint endpoint) {
    String adapter = request.adapter();
    if (adapter == null) {
      return 1;
    }
    EngineMetrics m = endpoint.metrics();
    if (!m.known()) {
      return FREE_SLOT;
    }
    if (m.loadedAdapters().contains(adapter)) {
      return LOADED;
    }
    return m.loadedAdapters().size() < maxLoras ? FREE_SLOT : 0;
  }
}

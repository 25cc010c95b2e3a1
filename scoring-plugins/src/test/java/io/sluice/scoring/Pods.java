package io.sluice.scoring;

import java.util.ArrayList;
import java.util.List;

/** Crafted snapshots for tests. */
public final class Pods {
  private Pods() {}

  /** {@code count} idle pods pod-0.. with {@code budget} tokens each and unknown metrics. */
  public static List<Endpoint> idle(int count, long budget) {
    List<Endpoint> pods = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      pods.add(EndpointSnapshot.of("pod-" + i, budget, 0));
    }
    return pods;
  }

  /** A pod whose engine reports {@code running}, {@code waiting} and {@code kvUsage}. */
  public static EndpointSnapshot engine(String id, int running, int waiting, double kvUsage) {
    return EndpointSnapshot.of(id, 10_000, 0).withMetrics(EngineMetrics.of(running, waiting, kvUsage));
  }

  /** Runs {@link Scorer#scoreAll} and returns the scores. */
  public static double[] scoreAll(Scorer scorer, ScoringRequest request, List<Endpoint> pods) {
    double[] out = new double[pods.size()];
    scorer.scoreAll(request, pods, out);
    return out;
  }
}

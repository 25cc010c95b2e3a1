package io.sluice.sim.cluster;

import io.sluice.sim.engine.EngineConfig;
import io.sluice.sim.engine.EngineCore;
import io.sluice.sim.engine.EngineListener;
import io.sluice.sim.engine.FinishReason;
import io.sluice.sim.engine.Sequence;
import io.sluice.sim.engine.VirtualRunner;
import java.util.Arrays;

/**
 * What one engine sustains on a workload, measured on the engine model: {@code sample} requests
 * taken evenly across the whole workload (every k-th, so the sample has the workload's mix, not that
 * of its first minutes) all arrive at time 0 (a full backlog, so the engine never waits for work), and the rate
 * is taken between the 10th and the 90th percentile of completions, leaving out the ramp-up and
 * the drain. The cluster's capacity is this rate times the number of pods.
 */
public final class Capacity {
  private Capacity() {}

  /** Requests per second one engine completes at saturation on {@code work}'s request mix. */
  public static double perPodRps(Workload work, EngineConfig engine, int sample) {
    int n = Math.min(sample, work.size());
    long[] ends = new long[n];
    int[] count = {0};
    EngineCore core = new EngineCore(engine, new EngineListener() {
      @Override
      public void onFinish(Sequence seq, FinishReason reason, long nowNanos) {
        ends[count[0]++] = nowNanos;
      }
    });
    VirtualRunner runner = new VirtualRunner(core);
    double stride = (double) work.size() / n;
    for (int i = 0; i < n; i++) {
      int row = (int) (i * stride);
      runner.submitAt(0, new Sequence(Integer.toString(i), work.promptTokens(row), work.output[row], FinishReason.STOP,
          null, 0));
    }
    runner.runUntilIdle();
    long[] sorted = Arrays.copyOf(ends, count[0]);
    Arrays.sort(sorted);
    int lo = sorted.length / 10;
    int hi = sorted.length * 9 / 10;
    if (hi <= lo || sorted[hi - 1] <= sorted[lo]) {
      return sorted.length / Math.max(1e-9, sorted[sorted.length - 1] / 1e9);
    }
    return (hi - 1 - lo) / ((sorted[hi - 1] - sorted[lo]) / 1e9);
  }
}

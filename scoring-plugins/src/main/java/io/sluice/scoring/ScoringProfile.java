package io.sluice.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A built profile: filters, then weighted scorers, then a picker, then the pick observers. Built
 * by {@link PluginRegistry#build}; immutable and thread-safe as long as its plugins are.
 *
 * <p>The weighted score of a candidate is {@code sum(w_i * clamp(s_i)) / sum(w_i)} over the
 * scorers (0 when there are none or all weights are 0), so it stays in [0, 1] whatever the
 * weights; {@code clamp} maps into [0, 1] and NaN to 0. A pick allocates two arrays of the
 * candidate count and whatever the filters return; no streams, no boxing. A pick told to a
 * {@link ScoreSink} also keeps every scorer's scores (one more array) and hands the chosen
 * candidate's on.
 */
public final class ScoringProfile {
  private final Filter[] filters;
  private final String[] filterTypes;
  private final Scorer[] scorers;
  private final String[] scorerTypes;
  private final double[] weights;
  private final double weightSum;
  private final Picker picker;
  private final String pickerType;
  private final PickObserver[] observers;
  private final String[] observerTypes;
  private final LongConsumer[] filterTimers;
  private final LongConsumer[] scorerTimers;
  private final LongConsumer pickerTimer;
  private final LongConsumer[] observerTimers;
  private final boolean timed;

  ScoringProfile(List<Stage<Filter>> filters, List<Stage<Scorer>> scorers, Stage<Picker> picker,
      PluginTimer timer) {
    this.filters = new Filter[filters.size()];
    this.filterTypes = new String[filters.size()];
    for (int i = 0; i < filters.size(); i++) {
      this.filters[i] = filters.get(i).plugin();
      this.filterTypes[i] = filters.get(i).type();
    }
    this.scorers = new Scorer[scorers.size()];
    this.scorerTypes = new String[scorers.size()];
    this.weights = new double[scorers.size()];
    double sum = 0;
    for (int i = 0; i < scorers.size(); i++) {
      this.scorers[i] = scorers.get(i).plugin();
      this.scorerTypes[i] = scorers.get(i).type();
      this.weights[i] = scorers.get(i).weight();
      sum += weights[i];
    }
    this.weightSum = sum;
    this.picker = picker.plugin();
    this.pickerType = picker.type();
    // In profile order; one instance serving as two kinds is told once.
    List<PickObserver> observing = new ArrayList<>();
    List<String> observingTypes = new ArrayList<>();
    List<Stage<?>> all = new ArrayList<>(filters);
    all.addAll(scorers);
    all.add(picker);
    for (Stage<?> stage : all) {
      if (stage.plugin() instanceof PickObserver o && observing.stream().noneMatch(x -> x == o)) {
        observing.add(o);
        observingTypes.add(stage.type());
      }
    }
    this.observers = observing.toArray(new PickObserver[0]);
    this.observerTypes = observingTypes.toArray(new String[0]);
    this.timed = timer != PluginTimer.NONE;
    this.filterTimers = recorders(timer, "filter", filterTypes);
    this.scorerTimers = recorders(timer, "scorer", scorerTypes);
    this.pickerTimer = timer.recorder("picker", pickerType);
    this.observerTimers = recorders(timer, "observer", observerTypes);
  }

  private static LongConsumer[] recorders(PluginTimer timer, String kind, String[] types) {
    LongConsumer[] recorders = new LongConsumer[types.length];
    for (int i = 0; i < types.length; i++) {
      recorders[i] = timer.recorder(kind, types[i]);
    }
    return recorders;
  }

  /**
   * The candidate to try for {@code request}, or null when the filters leave none (or there are
   * no candidates). Observers learn of the pick before this returns. Exceptions thrown by a plugin
   * propagate to the caller.
   */
  public Endpoint pick(ScoringRequest request, List<Endpoint> candidates) {
    return pick(request, candidates, null);
  }

  /** {@link #pick(ScoringRequest, List)}, telling {@code sink} (when not null) how the chosen candidate scored. */
  public Endpoint pick(ScoringRequest request, List<Endpoint> candidates, ScoreSink sink) {
    List<Endpoint> remaining = candidates;
    for (int i = 0; i < filters.length && remaining != null && !remaining.isEmpty(); i++) {
      long start = timed ? System.nanoTime() : 0;
      remaining = filters[i].filter(request, remaining);
      if (timed) {
        filterTimers[i].accept(System.nanoTime() - start);
      }
    }
    if (remaining == null || remaining.isEmpty()) {
      return null;
    }
    int n = remaining.size();
    double[] totals = new double[n];
    double[] kept = sink == null ? null : new double[scorers.length * n];
    if (scorers.length > 0) {
      double[] scratch = new double[n];
      for (int s = 0; s < scorers.length; s++) {
        long start = timed ? System.nanoTime() : 0;
        scorers[s].scoreAll(request, remaining, scratch);
        if (timed) {
          scorerTimers[s].accept(System.nanoTime() - start);
        }
        double w = weights[s];
        for (int j = 0; j < n; j++) {
          double score = clamp(scratch[j]);
          totals[j] += w * score;
          if (kept != null) {
            kept[s * n + j] = score;
          }
        }
      }
      if (weightSum > 0) {
        for (int j = 0; j < n; j++) {
          totals[j] /= weightSum;
        }
      }
    }
    long start = timed ? System.nanoTime() : 0;
    Endpoint chosen = picker.pick(request, remaining, totals);
    if (timed) {
      pickerTimer.accept(System.nanoTime() - start);
    }
    if (chosen != null && sink != null) {
      tell(sink, chosen, remaining, kept, totals);
    }
    if (chosen != null) {
      for (int o = 0; o < observers.length; o++) {
        long begin = timed ? System.nanoTime() : 0;
        observers[o].picked(request, chosen);
        if (timed) {
          observerTimers[o].accept(System.nanoTime() - begin);
        }
      }
    }
    return chosen;
  }

  private void tell(ScoreSink sink, Endpoint chosen, List<Endpoint> remaining, double[] kept, double[] totals) {
    int n = remaining.size();
    for (int j = 0; j < n; j++) {
      if (remaining.get(j) == chosen) {
        double[] scores = new double[scorers.length];
        for (int s = 0; s < scorers.length; s++) {
          scores[s] = kept[s * n + j];
        }
        sink.chosen(chosen.id(), scorerTypes.clone(), scores, totals[j]);
        return;
      }
    }
  }

  /** Maps a score into [0, 1]; NaN becomes 0. */
  static double clamp(double score) {
    return score >= 1 ? 1 : score > 0 ? score : 0;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("filters=").append(List.of(filterTypes));
    out.append(" scorers=[");
    for (int i = 0; i < scorers.length; i++) {
      out.append(i == 0 ? "" : ", ").append(scorerTypes[i]).append(" x").append(weights[i]);
    }
    return out.append("] picker=").append(pickerType).toString();
  }

  /** One configured plugin instance. */
  record Stage<T>(String type, T plugin, double weight) {}
}

package io.sluice.router.admission;

/**
 * The limit algorithm of one pod's budget, apart from its enforcement (the pod's compare-and-set
 * reservations), as Netflix concurrency-limits separates the two. Reservations are estimates
 * (prompt plus a quantile of recent outputs), so what they add up to is not what the engine holds:
 * a budget of a fixed share of the KV cache either strands capacity (reservations fill it while the
 * cache is half used) or, with lean estimates, overfills it. This limit moves with what the engine
 * reports at each scrape:
 *
 * <ul>
 *   <li>the engine preempted since the last sample: cut at once, by {@link #CUT};
 *   <li>its KV usage is above {@code high}: down by {@link #EASE} of the limit;
 *   <li>its KV usage is below {@code target} while the limit binds (reservations reach it, or
 *       requests wait): up by {@link #STEP} of the cache;
 *   <li>else unchanged.
 * </ul>
 *
 * It stays between {@code floor} and {@code ceiling} times the cache. Not thread-safe: the pool's
 * runtime calls it under its lock, one sample at a time.
 */
public final class AdaptiveBudget {
  /** Share of the limit kept when the engine preempts. */
  static final double CUT = 0.75;
  /** Share of the limit given up per sample while the cache is fuller than {@code high}. */
  static final double EASE = 0.03;
  /** Share of the cache added per sample while the limit binds and the cache has room. */
  static final double STEP = 0.04;

  private final double target;
  private final double high;
  private final double floor;
  private final double ceiling;
  private double limit = -1;
  private double lastPreemptions = -1;
  private long lastCapacity = -1;

  /**
   * @param target KV usage under which a binding limit is raised, e.g. 0.85
   * @param high KV usage over which the limit is eased down, e.g. 0.95
   * @param floor lowest limit, as a multiple of the cache
   * @param ceiling highest limit, as a multiple of the cache
   */
  public AdaptiveBudget(double target, double high, double floor, double ceiling) {
    if (!(0 < target && target <= high && high <= 1 && 0 < floor && floor <= ceiling)) {
      throw new IllegalArgumentException("need 0 < target <= high <= 1 and 0 < floor <= ceiling");
    }
    this.target = target;
    this.high = high;
    this.floor = floor;
    this.ceiling = ceiling;
  }

  /**
   * The limit Sluice uses: raised while the cache is under 75% full, eased above 90%, between half
   * the cache and four times it. The engine preempts when its cache runs out of blocks; the outputs
   * in flight grow between two scrapes, so the limit stops rising with a quarter of the cache still
   * free and backs off with a tenth left. (Chosen on the simulator's conv and bursts workloads:
   * docs/benchmarks.md has the sweep.) Reservations
   * add up to more than the cache (each holds its whole predicted output from the start), which is
   * why the ceiling is above 1.
   */
  public static AdaptiveBudget standard() {
    return new AdaptiveBudget(0.75, 0.9, 0.5, 4.0);
  }

  /**
   * The limit after one sample of the engine.
   *
   * @param capacity the engine's KV cache, in tokens
   * @param initial the limit to start from (the configured share of the cache)
   * @param kvUsage the engine's KV usage, 0 to 1 (negative: unknown, the limit stays)
   * @param preemptions the engine's preemption counter (cumulative; negative: unknown)
   * @param binding whether the limit held requests back since the last sample
   */
  public long update(long capacity, long initial, double kvUsage, double preemptions, boolean binding) {
    boolean first = limit < 0;
    if (first) {
      limit = initial;
    } else if (capacity != lastCapacity && lastCapacity > 0) {
      limit = limit * capacity / lastCapacity; // the engine came back with another cache size
    }
    lastCapacity = capacity;
    boolean preempted = lastPreemptions >= 0 && preemptions > lastPreemptions;
    if (preemptions >= 0) {
      lastPreemptions = preemptions;
    }
    if (first) {
      return (long) limit; // the first sample is the baseline: what came before Sluice saw it says nothing
    }
    if (preempted) {
      limit *= CUT;
    } else if (kvUsage > high) {
      limit -= EASE * limit;
    } else if (kvUsage >= 0 && kvUsage < target && binding) {
      limit += STEP * capacity;
    }
    limit = Math.max(floor * capacity, Math.min(ceiling * capacity, limit));
    return (long) limit;
  }

  /** The limit in force, or -1 before the first sample. */
  public long limit() {
    return (long) limit;
  }
}

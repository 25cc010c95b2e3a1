package io.sluice.router.pool;

import io.sluice.crd.ModelPoolSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model pool: the pods that serve one set of model names. Picks pods round-robin (the scoring
 * chain replaces this picker).
 */
public final class Pool {
  private final String name;
  private final ModelPoolSpec spec;
  private final List<Pod> pods;
  private final AtomicInteger next = new AtomicInteger();

  public Pool(String name, ModelPoolSpec spec, List<Pod> pods) {
    this.name = name;
    this.spec = spec;
    this.pods = List.copyOf(pods);
  }

  public String name() {
    return name;
  }

  public ModelPoolSpec spec() {
    return spec;
  }

  public List<Pod> pods() {
    return pods;
  }

  /**
   * The next pod in turn, or null when there is none. With {@code failed} set (a retry), the pod
   * after the failed one, so a retry does not shift the rotation of other requests.
   */
  public Pod pick(Pod failed) {
    int size = pods.size();
    if (size == 0) {
      return null;
    }
    if (failed == null) {
      return pods.get(Math.floorMod(next.getAndIncrement(), size));
    }
    Pod after = pods.get((pods.indexOf(failed) + 1) % size);
    return after.equals(failed) ? null : after;
  }
}

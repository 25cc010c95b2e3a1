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

  /** The next pod in turn that is not {@code excluded}, or null when there is none. */
  public Pod pick(Pod excluded) {
    int size = pods.size();
    if (size == 0) {
      return null;
    }
    int start = Math.floorMod(next.getAndIncrement(), size);
    for (int i = 0; i < size; i++) {
      Pod pod = pods.get((start + i) % size);
      if (!pod.equals(excluded)) {
        return pod;
      }
    }
    return null;
  }
}

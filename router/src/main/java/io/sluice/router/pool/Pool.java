package io.sluice.router.pool;

import io.sluice.crd.ModelPoolSpec;
import java.util.List;

/**
 * A model pool: the pods that serve one set of model names, and the spec they are admitted by.
 */
public final class Pool {
  private final String name;
  private final ModelPoolSpec spec;
  private final List<Pod> pods;

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
}

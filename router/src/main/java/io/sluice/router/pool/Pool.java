package io.sluice.router.pool;

import io.sluice.crd.ModelPoolSpec;
import java.util.List;

/**
 * A model pool: the pods that serve one set of model names, and the spec they are admitted by.
 *
 * <p>Concurrency: the spec and the pod list are immutable snapshots behind volatile fields. Event
 * loops read them on every request; only the pool's {@code PoolRuntime} replaces them (static
 * config: never; a cluster: when discovery sees a pod or the ModelPool change).
 */
public final class Pool {
  private final String name;
  private volatile ModelPoolSpec spec;
  private volatile List<Pod> pods;

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

  /** The routable pods, a snapshot. */
  public List<Pod> pods() {
    return pods;
  }

  /** Publishes a new spec; requests already routed keep the one they read. */
  public void setSpec(ModelPoolSpec spec) {
    this.spec = spec;
  }

  /** Publishes a new pod set. */
  public void setPods(List<Pod> pods) {
    this.pods = List.copyOf(pods);
  }
}

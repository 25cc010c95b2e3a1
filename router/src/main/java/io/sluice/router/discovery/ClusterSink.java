package io.sluice.router.discovery;

import io.sluice.router.config.PoolConfig;
import io.sluice.router.config.TrafficClassConfig;
import io.sluice.router.pool.Pod;
import java.util.List;

/**
 * Where discovery applies what it sees in the cluster. Every method may be called from any thread
 * (informer threads); implementations serialize the changes and publish them to the request path
 * without making it lock.
 */
public interface ClusterSink {

  /**
   * Creates the pool, or applies a changed spec to it in place (reservations and queued requests
   * are kept). Throws {@link IllegalArgumentException} when the spec cannot be put in force (e.g. a
   * tokenizer file that cannot be read); the previous version then stays.
   */
  void applyPool(PoolConfig pool);

  /** Removes the pool: it takes no new requests; its requests in flight finish and release. */
  void removePool(String name);

  /** Makes {@code pods} the routable pods of the pool; ignored when the pool is unknown. */
  void setPods(String pool, List<Pod> pods);

  /** Makes {@code classes} the traffic classes. */
  void setClasses(List<TrafficClassConfig> classes);

  /**
   * Makes {@code digests} (SHA-256 of API keys, by traffic class name) the keys {@code source}
   * provides, e.g. the classes' Secrets.
   */
  void setClassKeys(String source, java.util.Map<String, List<byte[]>> digests);

  /**
   * {@code count} router replicas are live (this one included): every pool with a partitioned
   * budget, and every pool added later, uses budget / {@code count} of each pod.
   */
  void setRouterReplicas(int count);
}

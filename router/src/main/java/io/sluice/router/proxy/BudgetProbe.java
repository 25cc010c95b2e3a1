package io.sluice.router.proxy;

import io.sluice.crd.EngineKind;
import io.sluice.router.pool.Pod;
import io.sluice.router.runtime.EngineCapacity;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.runtime.Runtimes;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For pools with {@code tokensPerPod: auto}: reads each pod's KV-cache size from its metrics page
 * and sets the pod's budget from it. Until a pod has answered, its budget is 0 and nothing is
 * admitted to it. Runs on a timer, asynchronously; never blocks an event loop.
 */
public final class BudgetProbe {
  private static final Logger LOG = LoggerFactory.getLogger(BudgetProbe.class);
  private static final long INTERVAL_MS = 5_000;

  private final Vertx vertx;
  private final HttpClient client;
  private final Runtimes runtimes;
  private long timer = -1;

  public BudgetProbe(Vertx vertx, HttpClient client, Runtimes runtimes) {
    this.vertx = vertx;
    this.client = client;
    this.runtimes = runtimes;
  }

  public void start() {
    probeAll();
    timer = vertx.setPeriodic(INTERVAL_MS, id -> probeAll());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  private void probeAll() {
    for (PoolRuntime runtime : runtimes.all()) {
      if (runtime.pool().spec().budget().tokensPerPod().auto()) {
        runtime.pool().pods().forEach(pod -> probe(runtime, pod));
      }
    }
  }

  private void probe(PoolRuntime runtime, Pod pod) {
    EngineKind engine = runtime.pool().spec().engine();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(pod.host()).setPort(pod.port())
        .setSsl(pod.tls()).setURI("/metrics").setConnectTimeout(2_000).setIdleTimeout(5_000);
    client.request(options)
        .compose(request -> request.send())
        .compose(response -> response.statusCode() == 200 ? response.body()
            : io.vertx.core.Future.failedFuture("status " + response.statusCode()))
        .onSuccess(body -> {
          OptionalLong kvTokens = EngineCapacity.kvTokens(engine, body.toString());
          if (kvTokens.isPresent()) {
            runtime.kvCapacityReported(pod.id(), kvTokens.getAsLong());
          } else {
            LOG.warn("pod {} of pool {}: no KV-cache size in its {} metrics", pod.id(), runtime.name(),
                engine.name().toLowerCase(java.util.Locale.ROOT));
          }
        })
        .onFailure(failure -> LOG.debug("pod {}: cannot read metrics: {}", pod.id(), failure.toString()));
  }
}

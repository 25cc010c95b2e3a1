package io.sluice.router.admin;

import io.sluice.router.metrics.RouterMetrics;
import io.sluice.router.runtime.PoolDirectory;
import io.sluice.router.runtime.TrafficClasses;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/**
 * Routes of the admin port: liveness, readiness, Prometheus metrics, estimates and the live page ({@code /ui}). Kept off the data port so
 * that probes and scrapes never compete with client traffic and never need client credentials.
 */
public final class AdminPlane {
  private AdminPlane() {}

  /**
   * @param ready whether the router can serve, and each pool's reason when it cannot
   */
  public static Router router(Vertx vertx, RouterMetrics metrics, Supplier<Readiness> ready, PoolDirectory runtimes,
      TrafficClasses classes) {
    Router router = Router.router(vertx);
    EstimateRoute estimate = new EstimateRoute(runtimes, classes);
    router.post("/estimate").handler(BodyHandler.create(false).setBodyLimit(16L << 20)).handler(estimate::handle);
    router.get("/healthz").handler(ctx -> ctx.json(new JsonObject().put("status", "ok")));
    router.get("/readyz").handler(ctx -> {
      Readiness readiness = ready.get();
      JsonObject pools = new JsonObject();
      readiness.pools().forEach((name, why) -> pools.put(name, why == null
          ? new JsonObject().put("ready", true) : new JsonObject().put("ready", false).put("reason", why)));
      JsonObject body = new JsonObject().put("status", readiness.ready() ? "ready" : "not ready");
      if (readiness.reason() != null) {
        body.put("reason", readiness.reason());
      }
      ctx.response().setStatusCode(readiness.ready() ? 200 : 503);
      ctx.json(body.put("pools", pools));
    });
    new Dashboard(runtimes, classes, metrics.live()).mount(router);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape()));
    return router;
  }
}

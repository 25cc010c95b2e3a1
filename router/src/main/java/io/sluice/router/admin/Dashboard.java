package io.sluice.router.admin;

import io.sluice.router.admission.AdmissionController;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.config.TrafficClassConfig;
import io.sluice.router.metrics.LiveView;
import io.sluice.router.runtime.EngineSample;
import io.sluice.router.runtime.PoolRuntime;
import io.sluice.router.runtime.PoolDirectory;
import io.sluice.router.runtime.TrafficClasses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The router's own page, {@code GET /ui}: static files from the jar ({@code sluice-ui/}) and one
 * JSON endpoint, {@code GET /ui/state}, that the page polls once a second. The state is built from
 * the core's live getters and {@link LiveView}; it holds names, ids and numbers, never prompts or keys.
 */
final class Dashboard {
  /** Seconds of history the state carries. */
  static final int HISTORY = 120;

  private final PoolDirectory runtimes;
  private final TrafficClasses classes;
  private final LiveView live;

  Dashboard(PoolDirectory runtimes, TrafficClasses classes, LiveView live) {
    this.runtimes = runtimes;
    this.classes = classes;
    this.live = live;
  }

  void mount(Router router) {
    router.get("/ui/state").handler(ctx -> ctx.response().putHeader("cache-control", "no-store")
        .putHeader("content-type", "application/json").end(state().encode()));
    router.get("/ui").handler(ctx -> ctx.reroute("/ui/index.html"));
    router.get("/ui/*").handler(StaticHandler.create("sluice-ui").setCachingEnabled(false)
        .setDirectoryListing(false).setIndexPage("index.html"));
  }

  JsonObject state() {
    Set<String> classNames = new LinkedHashSet<>();
    classNames.add("default");
    for (TrafficClassConfig config : classes.all()) {
      classNames.add(config.name());
    }
    Map<LiveView.Key, long[]> history = live.lastSeconds(HISTORY);
    JsonArray pools = new JsonArray();
    for (PoolRuntime runtime : runtimes.all()) {
      pools.add(pool(runtime, classNames, history));
    }
    JsonArray decisions = new JsonArray();
    for (LiveView.Entry entry : live.lastDecisions()) {
      JsonObject scores = null;
      if (entry.scorerTypes() != null && entry.scores() != null) {
        scores = new JsonObject();
        for (int i = 0; i < entry.scorerTypes().length; i++) {
          scores.put(entry.scorerTypes()[i], Math.round(entry.scores()[i] * 1000) / 1000.0);
        }
      }
      decisions.add(new JsonObject().put("at", entry.epochMillis()).put("id", entry.requestId())
          .put("scores", scores)
          .put("pool", entry.pool()).put("class", entry.trafficClass()).put("outcome", entry.outcome())
          .put("estimatedTokens", entry.estimatedTokens()).put("promptTokens", entry.promptTokens())
          .put("predictedTtftMs", entry.predictedTtftMillis()).put("pod", entry.pod()));
    }
    return new JsonObject().put("now", System.currentTimeMillis()).put("historySeconds", HISTORY)
        .put("pools", pools).put("decisionCount", live.decisionCount()).put("decisions", decisions);
  }

  private static JsonObject pool(PoolRuntime runtime, Set<String> classNames, Map<LiveView.Key, long[]> history) {
    AdmissionController admission = runtime.admission();
    JsonArray pods = new JsonArray();
    for (PodBudget pod : admission.pods()) {
      JsonObject json = new JsonObject().put("id", pod.podId()).put("budget", pod.budget())
          .put("ceiling", pod.ceiling()).put("reserved", pod.reserved()).put("inFlight", pod.inFlight())
          .put("pendingPrefill", pod.pendingPrefill()).put("ejected", runtime.ejected(pod.podId()))
          .put("probation", pod.onProbation());
      EngineSample sample = runtime.freshSample(pod.podId());
      if (sample != null) {
        json.put("engine", new JsonObject().put("kvCacheUsage", sample.kvCacheUsage())
            .put("running", sample.running()).put("waiting", sample.waiting()));
      }
      pods.add(json);
    }
    JsonArray queue = new JsonArray();
    for (String name : classNames) {
      AdmissionController.ClassCounters counters = admission.queued(name);
      queue.add(new JsonObject().put("class", name).put("requests", counters.requests()).put("tokens", counters.tokens()));
    }
    JsonObject series = new JsonObject();
    history.forEach((key, values) -> {
      if (key.pool().equals(runtime.name())) {
        JsonArray array = new JsonArray();
        for (long value : values) {
          array.add(value);
        }
        series.put(key.group() + ":" + key.label(), array);
      }
    });
    return new JsonObject().put("name", runtime.name()).put("mode", admission.mode().toString())
        .put("reserved", admission.reservedTokens()).put("inFlight", admission.inFlight())
        .put("queuedRequests", admission.queuedRequests()).put("queuedTokens", admission.queuedTokens())
        .put("oldestWaitMs", java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(admission.oldestWaitNanos()))
        .put("pods", pods).put("queue", queue).put("series", series);
  }
}

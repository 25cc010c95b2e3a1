package io.sluice.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.router.admission.AdmissionController;
import io.sluice.router.admission.AdmissionListener;
import io.sluice.router.admission.Outcome;
import io.sluice.router.admission.PodBudget;
import io.sluice.router.estimate.CostEstimate;
import io.sluice.router.runtime.PoolRuntime;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Admission's metrics: outcomes and queue waits per pool and class, queue depth and tokens, each
 * pod's budget and reservations, overruns and estimate accuracy. Gauges read the core's O(1)
 * counters; meters are created once per label set and cached.
 */
final class AdmissionMetrics {
  private final MeterRegistry registry;
  // Keyed by records of the label values: the strings' hashes are cached, so a lookup builds no string.
  private final Map<OutcomeKey, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<ClassKey, Timer> waits = new ConcurrentHashMap<>();
  private final Map<ClassKey, DistributionSummary> ratios = new ConcurrentHashMap<>();

  private record OutcomeKey(String pool, String trafficClass, Outcome outcome) {}

  private record ClassKey(String pool, String name) {}

  private final LiveView live;

  AdmissionMetrics(MeterRegistry registry, LiveView live) {
    this.registry = registry;
    this.live = live;
  }

  AdmissionListener listener(String pool) {
    return new AdmissionListener() {
      @Override
      public void outcome(String trafficClass, Outcome outcome) {
        live.count(pool, "outcome", outcome.label(), 1);
        outcomes.computeIfAbsent(new OutcomeKey(pool, trafficClass, outcome), key ->
            Counter.builder("sluice.admission.outcomes")
                .description("Admission decisions: admitted, queued, admitted_from_queue, rejected_full, "
                    + "rejected_too_large, rejected_no_pods, rejected_slo, timed_out, cancelled, would_queue "
                    + "(observe mode), would_miss (onMiss serve)")
                .tags("pool", pool, "class", trafficClass, "outcome", outcome.label())
                .register(registry)).increment();
      }

      @Override
      public void waited(String trafficClass, long nanos) {
        waits.computeIfAbsent(new ClassKey(pool, trafficClass), key -> Timer.builder("sluice.queue.wait")
                .description("Time queued requests waited before admission")
                .tags("pool", pool, "class", trafficClass)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry))
            .record(nanos, TimeUnit.NANOSECONDS);
      }
    };
  }

  /**
   * Registers the pool's meters, and those of its classes and pods, that are not registered yet
   * (registering a gauge twice would make Micrometer log a warning).
   */
  void bind(PoolRuntime runtime, Collection<String> classes) {
    String pool = runtime.name();
    AdmissionController admission = runtime.admission();
    if (registry.find("sluice.pool.reserved.tokens").tag("pool", pool).gauge() == null) {
      bindPool(pool, admission);
    }
    for (String trafficClass : classes) {
      if (registry.find("sluice.queue.requests").tags("pool", pool, "class", trafficClass).gauge() == null) {
        AdmissionController.ClassCounters counters = admission.queued(trafficClass);
        Gauge.builder("sluice.queue.requests", counters, AdmissionController.ClassCounters::requests)
            .tags("pool", pool, "class", trafficClass).register(registry);
        Gauge.builder("sluice.queue.tokens", counters, AdmissionController.ClassCounters::tokens)
            .tags("pool", pool, "class", trafficClass).register(registry);
      }
    }
    for (PodBudget pod : admission.pods()) {
      if (registry.find("sluice.pod.budget.tokens").tags("pool", pool, "pod", pod.podId()).gauge() == null) {
        bindPod(runtime, pod);
      }
    }
  }

  private void bindPool(String pool, AdmissionController admission) {
    Gauge.builder("sluice.queue.requests", admission, AdmissionController::queuedRequests)
        .description("Requests waiting in the pool's admission queue").tags("pool", pool, "class", "all")
        .register(registry);
    Gauge.builder("sluice.queue.tokens", admission, AdmissionController::queuedTokens)
        .description("Tokens the queued requests will reserve").tags("pool", pool, "class", "all")
        .register(registry);
    Gauge.builder("sluice.pool.reserved.tokens", admission, AdmissionController::reservedTokens)
        .description("Tokens reserved on the pool's pods by requests in flight").tags("pool", pool)
        .register(registry);
    FunctionCounter.builder("sluice.overrun.tokens", admission, AdmissionController::overrunTokens)
        .description("Tokens reservations had to grow by because a stream outran its estimate")
        .tags("pool", pool).register(registry);
  }

  private void bindPod(PoolRuntime runtime, PodBudget pod) {
    String pool = runtime.name();
    String podId = pod.podId();
    Gauge.builder("sluice.pod.budget.tokens", pod, PodBudget::budget)
        .description("Tokens the router may reserve on the pod (0 while unknown)")
        .tags("pool", pool, "pod", podId).register(registry);
    Gauge.builder("sluice.pod.reserved.tokens", pod, PodBudget::reserved)
        .description("Tokens reserved on the pod by requests in flight")
        .tags("pool", pool, "pod", podId).register(registry);
    Gauge.builder("sluice.pod.ejected", pod, p -> p.ejected() ? 1 : 0)
        .description("1 while passive health checks keep the pod out of rotation")
        .tags("pool", pool, "pod", podId).register(registry);
    Gauge.builder("sluice.pod.inflight.requests", pod, PodBudget::inFlight)
        .description("Requests in flight on the pod").tags("pool", pool, "pod", podId).register(registry);
    Gauge.builder("sluice.pod.pending.prefill.tokens", pod, PodBudget::pendingPrefill)
        .description("Prompt tokens sent to the pod whose first output token has not come back")
        .tags("pool", pool, "pod", podId).register(registry);
    FunctionCounter.builder("sluice.engine.preemptions", runtime, r -> r.enginePreemptions(podId))
        .description("Preemptions the pod's engine reported (vLLM num_preemptions), as last read")
        .tags("pool", pool, "pod", podId).register(registry);
  }

  /** Estimated / actual, for prompt and output separately; a ratio above 1 over-estimates. */
  void estimateObserved(String pool, CostEstimate estimate, long actualPrompt, long actualOutput) {
    if (actualPrompt > 0) {
      ratio(pool, "prompt").record((double) estimate.promptTokens() / actualPrompt);
    }
    if (actualOutput > 0) {
      ratio(pool, "output").record((double) estimate.outputTokens() / actualOutput);
    }
  }

  private DistributionSummary ratio(String pool, String part) {
    return ratios.computeIfAbsent(new ClassKey(pool, part), key -> DistributionSummary.builder("sluice.estimate.ratio")
        .description("Estimated tokens divided by the tokens the engine reported, per request")
        .tags("pool", pool, "part", part)
        .serviceLevelObjectives(0.5, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 4.0)
        .register(registry));
  }
}

package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@code ModelPool} resource declares: the model names it serves, the pods that serve
 * them, and how requests are admitted to them. The static config file and the Kubernetes CRD
 * share this shape, so one schema serves a laptop and a cluster.
 *
 * @param models model names clients send in the {@code model} field
 * @param endpoints static pod base URLs ({@code http://host:port}); used when there is no cluster
 * @param engine the serving engine behind the pods
 * @param tokenizer how prompt tokens are counted
 * @param budget per-pod token budget and reservation sizing
 * @param queue the admission queue
 * @param admission observe or enforce
 * @param scoring the scoring profile; null for the default one
 * @param health passive health checks, retries and metrics scraping
 * @param loraAdapters the model names that are LoRA adapters loaded on top of the base model
 * @param selector in a cluster: the labels a pod must carry (all of them) to belong to the pool
 * @param targetPort in a cluster: the port the engine listens on in each pod
 */
public record ModelPoolSpec(
    @JsonPropertyDescription("Model names clients send in the `model` field.") @Required @Size(min = 1)
        List<String> models,
    @JsonPropertyDescription("Static pod base URLs (http://host:port), for running without a cluster.")
        List<String> endpoints,
    @JsonPropertyDescription("Serving engine behind the pods: vllm, sglang or generic.") EngineKind engine,
    @JsonPropertyDescription("How prompt tokens are counted.") TokenizerSpec tokenizer,
    @JsonPropertyDescription("Per-pod token budget and reservation sizing.") BudgetSpec budget,
    @JsonPropertyDescription("The admission queue.") QueueSpec queue,
    @JsonPropertyDescription("observe or enforce.") AdmissionSpec admission,
    @JsonPropertyDescription("Scoring profile: filters, weighted scorers, picker.") ScoringSpec scoring,
    @JsonPropertyDescription("Passive health checks, retries and engine metrics scraping.") HealthSpec health,
    @JsonPropertyDescription("Which of the models are LoRA adapters (for lora-affinity scoring).")
        List<String> loraAdapters,
    @JsonPropertyDescription("Cluster mode: labels a pod must carry, all of them (matchLabels), to serve the pool.")
        @Required Map<String, String> selector,
    @JsonPropertyDescription("Cluster mode: the port the engine listens on in each selected pod.")
        @Required @Min(1) @Max(65535) Integer targetPort) {

  @JsonCreator
  public ModelPoolSpec {
    // Null elements are kept so that validation can point at them instead of failing here.
    models = models == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(models));
    endpoints = endpoints == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(endpoints));
    engine = engine == null ? EngineKind.VLLM : engine;
    tokenizer = tokenizer == null ? TokenizerSpec.approximate() : tokenizer;
    budget = budget == null ? BudgetSpec.defaults() : budget;
    queue = queue == null ? QueueSpec.defaults() : queue;
    admission = admission == null ? AdmissionSpec.defaults() : admission;
    health = health == null ? HealthSpec.defaults() : health;
    loraAdapters = loraAdapters == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(loraAdapters));
    selector = selector == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(selector));
  }

  /** A static-mode pool: no selector, no target port. */
  public ModelPoolSpec(List<String> models, List<String> endpoints, EngineKind engine, TokenizerSpec tokenizer,
      BudgetSpec budget, QueueSpec queue, AdmissionSpec admission, ScoringSpec scoring, HealthSpec health,
      List<String> loraAdapters) {
    this(models, endpoints, engine, tokenizer, budget, queue, admission, scoring, health, loraAdapters, null, null);
  }

  /** A static pool with defaults for everything but its models, endpoints and engine. */
  public static ModelPoolSpec of(List<String> models, List<String> endpoints, EngineKind engine) {
    return new ModelPoolSpec(models, endpoints, engine, null, null, null, null, null, null, null);
  }

  /** A cluster pool with defaults for everything but its models, selector, target port and engine. */
  public static ModelPoolSpec ofSelector(List<String> models, Map<String, String> selector, int targetPort,
      EngineKind engine) {
    return new ModelPoolSpec(models, null, engine, null, null, null, null, null, null, null, selector, targetPort);
  }
}

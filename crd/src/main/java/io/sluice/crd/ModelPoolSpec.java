package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a {@code ModelPool} resource declares: the model names it serves and the pods that serve
 * them. The static config file and the Kubernetes CRD share this shape, so one schema serves a
 * laptop and a cluster.
 *
 * @param models model names clients send in the {@code model} field
 * @param endpoints static pod base URLs ({@code http://host:port}); used when there is no cluster
 * @param engine the serving engine behind the pods
 */
public record ModelPoolSpec(
    @JsonPropertyDescription("Model names clients send in the `model` field.") List<String> models,
    @JsonPropertyDescription("Static pod base URLs (http://host:port), for running without a cluster.")
        List<String> endpoints,
    @JsonPropertyDescription("Serving engine behind the pods: vllm, sglang or generic.") EngineKind engine) {

  public ModelPoolSpec {
    // Null elements are kept so that validation can point at them instead of failing here.
    models = models == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(models));
    endpoints = endpoints == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(endpoints));
    engine = engine == null ? EngineKind.VLLM : engine;
  }
}

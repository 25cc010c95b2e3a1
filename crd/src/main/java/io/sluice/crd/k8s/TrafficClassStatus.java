package io.sluice.crd.k8s;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * @param observedGeneration the generation of the spec the conditions are about
 * @param conditions {@code Accepted}: the spec is valid and in force
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrafficClassStatus(
    @JsonPropertyDescription("Generation of the spec the status is about") Long observedGeneration,
    @JsonPropertyDescription("Accepted: the spec is valid and in force") List<Condition> conditions) {}

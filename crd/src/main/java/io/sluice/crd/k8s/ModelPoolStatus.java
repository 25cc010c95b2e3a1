package io.sluice.crd.k8s;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What the router last saw of a pool: its pods, budgets, load and whether its spec is in force.
 *
 * @param observedGeneration the generation of the spec these figures and conditions are about
 * @param pods pods matching the selector
 * @param readyPods of those, the ones that are Running, Ready and have an IP (routable)
 * @param budgetTokens tokens the router may reserve on the ready pods, summed
 * @param reservedTokens tokens reserved by requests in flight
 * @param queuedRequests requests waiting for budget
 * @param conditions {@code Ready} (a version of the spec is in force and some pod is routable) and
 *     {@code Invalid} (the latest spec was refused, with the validation message; the last good
 *     version, if any, stays in force)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelPoolStatus(
    @JsonPropertyDescription("Generation of the spec the status is about") Long observedGeneration,
    @JsonPropertyDescription("Pods matching the selector") Integer pods,
    @JsonPropertyDescription("Pods that are Running, Ready and have an IP") Integer readyPods,
    @JsonPropertyDescription("Tokens the router may reserve on the ready pods") Long budgetTokens,
    @JsonPropertyDescription("Tokens reserved by requests in flight") Long reservedTokens,
    @JsonPropertyDescription("Requests waiting for budget") Integer queuedRequests,
    @JsonPropertyDescription("Ready: a version of the spec is in force and some pod is routable; "
        + "Invalid: the latest spec was refused (the message says why), the last good version stays in force")
        List<Condition> conditions) {}

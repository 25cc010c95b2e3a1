package io.sluice.router.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the router reads from a request body to route it. The body itself is forwarded unchanged.
 *
 * @param kind which API was called
 * @param model the {@code model} field
 * @param stream whether the client asked for a server-sent-event stream
 * @param body the parsed body, for estimation
 */
public record InferenceRequest(ApiKind kind, String model, boolean stream, ObjectNode body) {}

package io.sluice.router.admin;

import java.util.Map;

/**
 * Whether the router can serve, as {@code /readyz} reports it.
 *
 * @param ready true only when every pool has a pod that can take a request, the cluster's state
 *     has been listed, and the router is not draining
 * @param reason why not ready; null when ready
 * @param pools each pool by name: null when it can serve, else why not
 */
public record Readiness(boolean ready, String reason, Map<String, String> pools) {}

package io.sluice.router.discovery;

/**
 * What discovery knows of one ModelPool resource, for its status.
 *
 * @param namespace the resource's namespace
 * @param name the resource's name
 * @param generation the generation of the spec discovery last read (null if the API server sets none)
 * @param inForce the name of the pool in force for this resource (the last good version), or null
 * @param pods pods matching the selector of the version in force
 * @param readyPods of those, the routable ones (Running, Ready, with an IP, not being deleted)
 * @param problem why the latest version was refused, or null when it is in force
 */
public record PoolReport(String namespace, String name, Long generation, String inForce, int pods, int readyPods,
    String problem) {}

package io.sluice.router.discovery;

/**
 * What discovery knows of one TrafficClass resource, for its status.
 *
 * @param namespace the resource's namespace
 * @param name the resource's name
 * @param generation the generation of the spec discovery last read (null if the API server sets none)
 * @param inForce whether a version of the class (the latest or the last good one) is in force
 * @param problem why the latest version was refused, or null when it is in force
 */
public record ClassReport(String namespace, String name, Long generation, boolean inForce, String problem) {}

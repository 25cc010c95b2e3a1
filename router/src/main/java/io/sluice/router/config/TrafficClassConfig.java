package io.sluice.router.config;

import io.sluice.crd.TrafficClassSpec;

/** A {@code TrafficClass} resource: its name and validated spec. */
public record TrafficClassConfig(String name, TrafficClassSpec spec) {}

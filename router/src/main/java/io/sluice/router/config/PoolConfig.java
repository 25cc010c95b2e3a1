package io.sluice.router.config;

import io.sluice.crd.ModelPoolSpec;

/** A {@code ModelPool} resource as the router uses it: its name and its validated spec. */
public record PoolConfig(String name, ModelPoolSpec spec) {}

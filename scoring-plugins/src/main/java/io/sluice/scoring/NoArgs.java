package io.sluice.scoring;

/** Arguments of a plugin type that takes none: any property given is an error. */
public record NoArgs() {}

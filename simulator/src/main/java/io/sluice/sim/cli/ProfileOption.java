package io.sluice.sim.cli;

import io.sluice.sim.engine.Profile;
import io.sluice.sim.engine.Profiles;
import picocli.CommandLine.Option;

/** {@code --profile} as {@code calibrate} and {@code compare} take it (the engine's own has help text). */
final class ProfileOption {
  @Option(names = "--profile", defaultValue = "llama3-8b-a100")
  String profile; // the field name is the help's <profile>

  /** The timing profile named, or an IllegalArgumentException naming it. */
  Profile resolve() {
    return Profiles.byName(profile).orElseThrow(() -> new IllegalArgumentException("unknown profile " + profile));
  }
}

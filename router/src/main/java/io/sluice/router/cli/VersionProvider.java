package io.sluice.router.cli;

import picocli.CommandLine;

/** The version from the jar manifest (set at package time), or "dev" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"sluice " + (version == null ? "dev" : version)};
  }
}

package io.sluice.scoring;

/** The extension points a plugin type can fill in a profile. */
public enum Kind {
  FILTER("filter", Filter.class),
  SCORER("scorer", Scorer.class),
  PICKER("picker", Picker.class);

  private final String label;
  private final Class<?> contract;

  Kind(String label, Class<?> contract) {
    this.label = label;
    this.contract = contract;
  }

  /** Lower-case name used in messages and timer tags: filter, scorer, picker. */
  public String label() {
    return label;
  }

  /** The interface an instance of this kind implements. */
  public Class<?> contract() {
    return contract;
  }
}

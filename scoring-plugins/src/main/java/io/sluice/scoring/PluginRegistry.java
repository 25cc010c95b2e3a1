package io.sluice.scoring;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The plugin types available to profiles, keyed by type name, and the builder of profiles. Two
 * factories claiming one type name is a startup error, never a silent overwrite.
 */
public final class PluginRegistry {
  private static final Pattern TYPE_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private final Map<String, PluginFactory> factories;

  private PluginRegistry(Map<String, PluginFactory> factories) {
    this.factories = Collections.unmodifiableMap(factories);
  }

  /**
   * Every {@link PluginFactory} listed in {@code META-INF/services} on {@code loader}: the
   * built-in plugins plus any plugin jar on its class path.
   *
   * @throws IllegalStateException when two factories claim one type, or a type name is invalid
   */
  public static PluginRegistry load(ClassLoader loader) {
    List<PluginFactory> found = new ArrayList<>();
    ServiceLoader.load(PluginFactory.class, loader).forEach(found::add);
    return of(found);
  }

  /**
   * Exactly these factories.
   *
   * @throws IllegalStateException when two factories claim one type, or a type name is invalid
   */
  public static PluginRegistry of(Collection<? extends PluginFactory> factories) {
    Map<String, PluginFactory> byType = new TreeMap<>();
    for (PluginFactory factory : factories) {
      String type = factory.type();
      if (type == null || !TYPE_NAME.matcher(type).matches()) {
        throw new IllegalStateException("plugin factory " + origin(factory) + " has an invalid type"
            + " name '" + type + "': use lower-case letters, digits and single dashes");
      }
      if (factory.kinds() == null || factory.kinds().isEmpty()) {
        throw new IllegalStateException("plugin type '" + type + "' (" + origin(factory)
            + ") declares no kinds");
      }
      PluginFactory previous = byType.putIfAbsent(type, factory);
      if (previous != null) {
        throw new IllegalStateException("duplicate plugin type '" + type + "': provided by "
            + origin(previous) + " and by " + origin(factory) + "; remove one of the jars or"
            + " rename the type");
      }
    }
    return new PluginRegistry(byType);
  }

  /** The type names, sorted. */
  public Set<String> types() {
    return factories.keySet();
  }

  /** The factory of {@code type}, or null. */
  public PluginFactory factory(String type) {
    return factories.get(type);
  }

  /** Builds {@code config} without timing plugin calls. */
  public ScoringProfile build(ProfileConfig config) throws ProfileException {
    return build(config, PluginTimer.NONE);
  }

  /**
   * Builds {@code config} (null means {@link ProfileConfig#defaults()}), with fresh plugin
   * instances whose calls are reported to {@code timer}.
   *
   * @throws ProfileException listing every problem in the config, not only the first
   */
  public ScoringProfile build(ProfileConfig config, PluginTimer timer) throws ProfileException {
    ProfileConfig profile = config == null ? ProfileConfig.defaults() : config;
    List<String> problems = new ArrayList<>();
    List<ScoringProfile.Stage<Filter>> filters = new ArrayList<>();
    for (int i = 0; i < profile.filters().size(); i++) {
      ScoringProfile.Stage<Filter> stage =
          stage("filters[" + i + "]", Kind.FILTER, profile.filters().get(i), Filter.class, problems);
      if (stage != null) {
        filters.add(stage);
      }
    }
    List<ScoringProfile.Stage<Scorer>> scorers = new ArrayList<>();
    for (int i = 0; i < profile.scorers().size(); i++) {
      ScoringProfile.Stage<Scorer> stage =
          stage("scorers[" + i + "]", Kind.SCORER, profile.scorers().get(i), Scorer.class, problems);
      if (stage != null) {
        scorers.add(stage);
      }
    }
    ScoringProfile.Stage<Picker> picker =
        stage("picker", Kind.PICKER, profile.picker(), Picker.class, problems);
    if (!problems.isEmpty()) {
      throw new ProfileException(problems);
    }
    return new ScoringProfile(filters, scorers, picker, timer == null ? PluginTimer.NONE : timer);
  }

  /**
   * Checks {@code config} as {@link #build} would, without keeping anything.
   *
   * @throws ProfileException listing every problem
   */
  public void validate(ProfileConfig config) throws ProfileException {
    build(config, PluginTimer.NONE);
  }

  private <T> ScoringProfile.Stage<T> stage(String field, Kind kind, PluginConfig entry,
      Class<T> contract, List<String> problems) {
    if (entry == null || entry.name() == null || entry.name().isBlank()) {
      problems.add(field + ": missing plugin name");
      return null;
    }
    String type = entry.name();
    PluginFactory factory = factories.get(type);
    if (factory == null) {
      problems.add(field + " (" + type + "): unknown plugin type; known types: " + types());
      return null;
    }
    int before = problems.size();
    if (!factory.kinds().contains(kind)) {
      problems.add(field + " (" + type + "): cannot be used as a " + kind.label() + "; it is a "
          + labels(factory.kinds()));
    }
    double weight = entry.weightOrDefault();
    if (kind != Kind.SCORER && entry.weight() != null) {
      problems.add(field + ".weight (" + type + "): only scorers take a weight");
    } else if (!(weight >= 0) || Double.isInfinite(weight)) {
      problems.add(field + ".weight (" + type + "): must be a finite number >= 0, got " + weight);
    }
    Object args = ArgsBinder.bind(field, type, factory.argsType(), entry.args(), problems);
    if (problems.size() > before) {
      return null;
    }
    Object instance;
    try {
      instance = factory.create(kind, args);
    } catch (RuntimeException e) {
      problems.add(ArgsBinder.describe(field, type, e, entry.args()));
      return null;
    }
    if (!contract.isInstance(instance)) {
      problems.add(field + " (" + type + "): factory " + factory.getClass().getName()
          + " returned " + (instance == null ? "null" : instance.getClass().getName())
          + ", not a " + contract.getSimpleName());
      return null;
    }
    return new ScoringProfile.Stage<>(type, contract.cast(instance), weight);
  }

  private static String labels(Set<Kind> kinds) {
    List<String> out = new ArrayList<>();
    for (Kind k : Kind.values()) {
      if (kinds.contains(k)) {
        out.add(k.label());
      }
    }
    return String.join(" and ", out);
  }

  private static String origin(PluginFactory factory) {
    Class<?> c = factory.getClass();
    var source = c.getProtectionDomain().getCodeSource();
    return c.getName() + (source == null || source.getLocation() == null
        ? "" : " (" + source.getLocation() + ")");
  }
}

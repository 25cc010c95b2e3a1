package io.sluice.crd;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Checks a bound spec against the rules its records declare for the CRD generator ({@code @Min},
 * {@code @Max}, {@code @Size}, {@code @Pattern}, {@code @Required}, {@code @ValidationRule}), so the
 * CRD schema and the static file's validation are one set of rules written once, on the records.
 * Rules that relate two fields (a minimum below a maximum) are not schema annotations and stay with
 * the callers.
 */
public final class SpecRules {
  /** A broken rule: a JSON pointer into the spec (e.g. {@code /budget/blockSize}) and what is wrong. */
  public record Violation(String pointer, String message) {}

  /**
   * The Java side of each CEL rule the records carry; a record with a rule missing here fails every
   * check, so a new rule cannot be forgotten (SpecRulesTest walks every record).
   */
  private static final Map<String, Predicate<Object>> CEL = Map.of(
      // Duration fields are bound by Durations.parse, which reads the rule's grammar and nothing else.
      Durations.SCHEMA_RULE, value -> value instanceof Duration,
      TokenizerSpec.LOCAL_PATH_RULE, value -> !TokenizerSpec.isDownload(value.toString()));

  private SpecRules() {}

  /**
   * Every rule the spec breaks, in field order.
   *
   * @param requireAll whether {@code @Required} fields must be set: true for resources read from a
   *     cluster, whose CRD requires them; a static pool leaves out the cluster-only ones
   *     ({@code selector}, {@code targetPort})
   */
  public static List<Violation> check(Record spec, boolean requireAll) {
    List<Violation> violations = new ArrayList<>();
    walkRecord(spec, "", requireAll, violations);
    return violations;
  }

  /** The CEL rules of every record reachable from {@code type} that have no Java check here. */
  static List<String> uncheckedRules(Class<?> type) {
    List<String> unchecked = new ArrayList<>();
    types(type, new ArrayList<>()).forEach(record -> {
      for (RecordComponent component : record.getRecordComponents()) {
        for (ValidationRule rule : component.getAccessor().getAnnotationsByType(ValidationRule.class)) {
          if (!CEL.containsKey(rule.value())) {
            unchecked.add(record.getSimpleName() + "." + component.getName() + ": " + rule.value());
          }
        }
      }
    });
    return unchecked;
  }

  private static List<Class<?>> types(Class<?> type, List<Class<?>> seen) {
    if (!type.isRecord() || seen.contains(type)) {
      return seen;
    }
    seen.add(type);
    for (RecordComponent component : type.getRecordComponents()) {
      types(component.getType(), seen);
      if (component.getGenericType() instanceof java.lang.reflect.ParameterizedType generic) {
        for (java.lang.reflect.Type argument : generic.getActualTypeArguments()) {
          if (argument instanceof Class<?> element) {
            types(element, seen);
          }
        }
      }
    }
    return seen;
  }

  private static void walkRecord(Record record, String at, boolean requireAll, List<Violation> out) {
    for (RecordComponent component : record.getClass().getRecordComponents()) {
      Method accessor = component.getAccessor();
      JsonProperty renamed = accessor.getAnnotation(JsonProperty.class);
      String pointer = at + "/" + (renamed != null && !renamed.value().isEmpty() ? renamed.value() : component.getName());
      Object value;
      try {
        value = accessor.invoke(record);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (value == null) {
        if (requireAll && accessor.isAnnotationPresent(Required.class)) {
          JsonPropertyDescription description = accessor.getAnnotation(JsonPropertyDescription.class);
          out.add(new Violation(pointer, "is required" + (description == null ? "" : ": " + description.value())));
        }
        continue;
      }
      String problem = problem(accessor, value);
      JsonPropertyDescription described = accessor.getAnnotation(JsonPropertyDescription.class);
      if (problem != null && problem.endsWith(":")) {
        problem = described == null ? problem.substring(0, problem.length() - 1) : problem + " " + described.value();
      }
      if (problem != null) {
        out.add(new Violation(pointer, problem));
      }
      walkValue(value, pointer, requireAll, out);
    }
  }

  private static void walkValue(Object value, String pointer, boolean requireAll, List<Violation> out) {
    if (value instanceof Record nested) {
      walkRecord(nested, pointer, requireAll, out);
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walkValue(list.get(i), pointer + "/" + i, requireAll, out);
      }
    } else if (value instanceof Map<?, ?> map) {
      map.forEach((key, entry) -> walkValue(entry, pointer + "/" + escape(String.valueOf(key)), requireAll, out));
    }
  }

  /** What is wrong with one set value, or null. */
  private static String problem(Method accessor, Object value) {
    if (value instanceof Double number && !Double.isFinite(number)) {
      return "must be a finite number, got " + number;
    }
    if (value instanceof Number number) {
      String bounds = bounds(accessor.getAnnotation(Min.class), accessor.getAnnotation(Max.class), number.doubleValue());
      if (bounds != null) {
        return bounds;
      }
    }
    Size size = accessor.getAnnotation(Size.class);
    if (size != null) {
      String sized = size(size, value);
      if (sized != null) {
        return sized;
      }
    }
    Pattern pattern = accessor.getAnnotation(Pattern.class);
    if (pattern != null && value instanceof String text && !java.util.regex.Pattern.compile(pattern.value()).matcher(text).find()) {
      return "must match " + pattern.value() + ", got '" + text + "'";
    }
    for (ValidationRule rule : accessor.getAnnotationsByType(ValidationRule.class)) {
      Predicate<Object> check = CEL.get(rule.value());
      if (check == null) {
        throw new IllegalStateException("no Java check for the CEL rule " + rule.value() + " on " + accessor);
      }
      if (!check.test(value)) {
        return rule.message().isEmpty() ? "must satisfy " + rule.value() : rule.message();
      }
    }
    return null;
  }

  private static String bounds(Min min, Max max, double value) {
    boolean low = min != null && !(min.inclusive() ? value >= min.value() : value > min.value());
    boolean high = max != null && !(max.inclusive() ? value <= max.value() : value < max.value());
    if (!low && !high) {
      return null;
    }
    String got = ", got " + number(value);
    if (min != null && max != null) {
      if (min.inclusive() && max.inclusive()) {
        return "must be between " + number(min.value()) + " and " + number(max.value()) + got;
      }
      return "must be " + lower(min) + " and " + upper(max) + got;
    }
    if (min != null) {
      return (min.inclusive() && min.value() == 0 ? "must not be negative" : "must be " + lower(min)) + got;
    }
    return "must be " + upper(max) + got;
  }

  private static String lower(Min min) {
    return (min.inclusive() ? "at least " : "above ") + number(min.value());
  }

  private static String upper(Max max) {
    return (max.inclusive() ? "at most " : "below ") + number(max.value());
  }

  private static String size(Size size, Object value) {
    int length;
    String unit;
    if (value instanceof String text) {
      length = text.length();
      unit = "characters";
    } else if (value instanceof Collection<?> items) {
      length = items.size();
      unit = "entries";
    } else if (value instanceof Map<?, ?> map) {
      length = map.size();
      unit = "entries";
    } else {
      return null;
    }
    if (length < size.min()) {
      return size.min() == 1 && !unit.equals("characters") ? "must list at least one entry:"
          : "must have at least " + size.min() + " " + unit + ", got " + length;
    }
    if (length > size.max()) {
      return "must have at most " + size.max() + " " + unit + ", got " + length;
    }
    return null;
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }

  /** RFC 6901: {@code ~} and {@code /} in a key are written {@code ~0} and {@code ~1}. */
  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}

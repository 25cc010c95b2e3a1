package io.sluice.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Binds a profile entry's {@code args} map to its type's argument record, reporting problems. */
final class ArgsBinder {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build();

  private ArgsBinder() {}

  /**
   * The bound arguments, or null after adding one problem to {@code problems}.
   *
   * @param field where the entry sits, e.g. {@code scorers[0]}
   */
  static Object bind(String field, String type, Class<?> argsType, Map<String, Object> args,
      List<String> problems) {
    if (argsType.isRecord() && !unknownKeys(field, type, argsType, args, problems)) {
      return null;
    }
    try {
      return MAPPER.treeToValue(MAPPER.valueToTree(args), argsType);
    } catch (IllegalArgumentException | JsonProcessingException e) {
      problems.add(describe(field, type, e, args));
      return null;
    }
  }

  /**
   * Reports every argument the record does not declare (Jackson would report only the first, and
   * only after the record's constructor has run on the rest); false when there was one.
   */
  private static boolean unknownKeys(String field, String type, Class<?> argsType,
      Map<String, Object> args, List<String> problems) {
    List<String> accepted = Arrays.stream(argsType.getRecordComponents())
        .map(RecordComponent::getName).sorted().toList();
    boolean clean = true;
    for (String key : args.keySet()) {
      if (!accepted.contains(key)) {
        problems.add(field + ".args." + key + " (" + type + "): unknown argument; "
            + (accepted.isEmpty() ? "it takes no arguments" : "accepted: " + String.join(", ", accepted)));
        clean = false;
      }
    }
    return clean;
  }

  /** One problem line for {@code e}; {@code args} (nullable) supplies the offending value. */
  static String describe(String field, String type, Exception e, Map<String, Object> args) {
    InvalidArgumentException invalid = find(e, InvalidArgumentException.class);
    if (invalid != null) {
      return field + ".args." + invalid.argument() + " (" + type + "): " + invalid.problem();
    }
    if (e instanceof UnrecognizedPropertyException u) {
      String known = u.getKnownPropertyIds() == null || u.getKnownPropertyIds().isEmpty()
          ? "it takes no arguments"
          : "accepted: " + u.getKnownPropertyIds().stream().map(String::valueOf).sorted()
              .collect(Collectors.joining(", "));
      return field + ".args." + u.getPropertyName() + " (" + type + "): unknown argument; " + known;
    }
    if (e instanceof JsonMappingException m) {
      String at = field + ".args" + path(m);
      if (m instanceof InvalidFormatException f) {
        return at + " (" + type + "): expected " + simple(f.getTargetType()) + ", got '"
            + f.getValue() + "'";
      }
      if (m instanceof MismatchedInputException mi && mi.getTargetType() != null) {
        Object given = args == null || m.getPath().size() != 1
            ? null : args.get(m.getPath().get(0).getFieldName());
        return at + " (" + type + "): expected " + simple(mi.getTargetType())
            + (given == null ? "" : ", got '" + given + "'");
      }
      return at + " (" + type + "): " + m.getOriginalMessage();
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return field + ".args (" + type + "): " + root.getMessage();
  }

  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        out.append('.').append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String simple(Class<?> type) {
    return type == null ? "another type" : type.getSimpleName();
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> wanted) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (wanted.isInstance(t)) {
        return wanted.cast(t);
      }
    }
    return null;
  }
}

package io.sluice.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Collects every problem of a document instead of stopping at the first: Jackson binds the spec and
 * calls back here for each unknown field and each value of the wrong type, which is recorded and
 * skipped.
 */
final class ProblemCollector extends DeserializationProblemHandler {
  private final String source;
  private final LocationIndex index;
  private final List<ConfigProblem> problems = new ArrayList<>();
  /** Document index and JSON pointer of each problem, so one mistake is reported once. */
  private final List<String> pointers = new ArrayList<>();
  private int document;
  private String prefix = "";
  private String resource = "";

  ProblemCollector(String source, LocationIndex index) {
    this.source = source;
    this.index = index;
  }

  /** Problems recorded from now on belong to this document, under this JSON pointer prefix. */
  void enter(int document, String resource, String prefix) {
    this.document = document;
    this.resource = resource;
    this.prefix = prefix;
  }

  int document() {
    return document;
  }

  /** True when document {@code document} has no problem recorded. */
  boolean clean(int document) {
    return pointers.stream().noneMatch(p -> p.startsWith(document + "#"));
  }

  /**
   * Records a problem at {@code pointer}, unless one is already recorded at that place or above it
   * (a field that failed to bind is not reported again by the checks that read its default).
   */
  void add(String pointer, String message) {
    String key = document + "#" + pointer;
    for (String existing : pointers) {
      if (!existing.equals(document + "#") && (key.equals(existing) || key.startsWith(existing + "/"))) {
        return;
      }
    }
    pointers.add(key);
    JsonLocation location = index.find(document, pointer);
    int line = location == null ? 0 : location.getLineNr();
    int column = location == null ? 0 : location.getColumnNr();
    String path = LocationIndex.display(pointer);
    String where = resource.isEmpty() ? path : path.isEmpty() ? resource : resource + " " + path;
    problems.add(new ConfigProblem(source, line, column, where, message));
  }

  void addAt(JsonLocation location, String message) {
    problems.add(new ConfigProblem(
        source, location == null ? 0 : location.getLineNr(), location == null ? 0 : location.getColumnNr(), "", message));
  }

  List<ConfigProblem> problems() {
    return problems;
  }

  /**
   * Where the parser stands. Under an unknown field whose value is a mapping, Jackson's context
   * path has an empty segment ({@code //budgett}) that no line is indexed under: dropped, so the
   * problem names the field's own line.
   */
  private String pointerOf(JsonParser parser) {
    return prefix + parser.getParsingContext().pathAsPointer().toString().replaceAll("/{2,}", "/");
  }

  @Override
  public boolean handleUnknownProperty(
      DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer, Object bean, String name)
      throws IOException {
    Collection<Object> known = deserializer.getKnownPropertyNames();
    String hint = known == null || known.isEmpty() ? "" : " (known fields: " + String.join(", ",
        new TreeSet<>(known.stream().map(String::valueOf).toList())) + ")";
    add(pointerOf(p), "unknown field '" + name + "'" + hint);
    p.skipChildren();
    return true;
  }

  @Override
  public Object handleUnexpectedToken(
      DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p, String failureMsg)
      throws IOException {
    add(pointerOf(p), "expected " + describe(targetType) + ", found " + describe(t));
    p.skipChildren();
    return null;
  }

  @Override
  public Object handleWeirdStringValue(
      DeserializationContext ctxt, Class<?> targetType, String value, String failureMsg) {
    // Jackson's own messages name Java types; only the duration parser's hint is worth passing on.
    String reason = targetType == java.time.Duration.class && failureMsg != null ? "; " + failureMsg : "";
    add(pointerOf(ctxt.getParser()), "'" + value + "' is not " + describe(targetType) + reason);
    return null;
  }

  @Override
  public Object handleWeirdNumberValue(
      DeserializationContext ctxt, Class<?> targetType, Number value, String failureMsg) {
    add(pointerOf(ctxt.getParser()), value + " is not " + describe(targetType));
    return null;
  }

  @Override
  public Object handleInstantiationProblem(
      DeserializationContext ctxt, Class<?> instClass, Object argument, Throwable t) {
    Throwable cause = t.getCause() != null ? t.getCause() : t;
    add(pointerOf(ctxt.getParser()), "'" + argument + "' is not valid: " + cause.getMessage());
    return null;
  }

  @Override
  public Object handleMissingInstantiator(
      DeserializationContext ctxt, Class<?> instClass, ValueInstantiator inst, JsonParser p, String msg)
      throws IOException {
    add(pointerOf(p), "expected " + describe(instClass) + ", found " + describe(p.currentToken()));
    p.skipChildren();
    return null;
  }

  static String describe(JavaType type) {
    return describe(type.getRawClass());
  }

  static String describe(Class<?> type) {
    if (Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Long.class || type == Integer.class || type == long.class || type == int.class) {
      return "a whole number";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == java.time.Duration.class) {
      return "a duration such as 30s";
    }
    if (type.isEnum()) {
      return "one of " + String.join(", ", enumNames(type));
    }
    return "a mapping";
  }

  /** The names an enum is written with in YAML (its {@code @JsonProperty} values). */
  static List<String> enumNames(Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Object constant : type.getEnumConstants()) {
      String name = ((Enum<?>) constant).name();
      try {
        JsonProperty property = type.getField(name).getAnnotation(JsonProperty.class);
        names.add(property == null ? name : property.value());
      } catch (NoSuchFieldException e) {
        names.add(name);
      }
    }
    return names;
  }

  static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_ARRAY -> "a list";
      case START_OBJECT -> "a mapping";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "a whole number";
      case VALUE_NUMBER_FLOAT -> "a decimal number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }
}

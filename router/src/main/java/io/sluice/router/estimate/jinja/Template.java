package io.sluice.router.estimate.jinja;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.router.estimate.jinja.Node.Stmt;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A chat template compiled once and rendered many times, the way Hugging Face's
 * {@code apply_chat_template} runs it: Jinja with {@code trim_blocks} and {@code lstrip_blocks},
 * Python's value semantics, the {@code tojson}, {@code raise_exception} and {@code strftime_now}
 * extensions, and a sandbox that reaches nothing but the given data. Thread-safe: a render keeps
 * its state to itself.
 *
 * <p>Supported: {@code if/elif/else}, {@code for} (with {@code else}, a filter, {@code loop},
 * unpacking, {@code break}/{@code continue}), {@code set} (also {@code ns.attr} and blocks),
 * {@code macro}, {@code filter}, {@code with}, {@code raw}, {@code generation}, and the filters and
 * tests listed in {@link Builtins}. Not supported (a {@link TemplateException.Kind#SYNTAX} error):
 * {@code call} blocks, recursive loops, {@code include}/{@code import}/{@code extends}.
 */
public final class Template {
  private final List<Stmt> body;
  private final boolean contentLoops;

  private Template(List<Stmt> body) {
    this.body = body;
    this.contentLoops = ContentFormat.iteratesOverContent(body);
  }

  /**
   * Compiles {@code source}.
   *
   * @throws TemplateException of kind {@code SYNTAX} when it is not Jinja this renderer runs
   */
  public static Template parse(String source) {
    return new Template(Parser.parse(source));
  }

  /**
   * Whether the template loops over a message's {@code content} (as Gemma 3's does), which is how
   * vLLM decides to pass content as a list of typed parts ("openai" format) instead of a string.
   */
  public boolean iteratesOverMessageContent() {
    return contentLoops;
  }

  /**
   * Renders with {@code variables} (maps, lists, strings, numbers, booleans and nulls, as parsed
   * JSON gives them, or Jackson trees) and {@code strftime_now} reading {@code clock}.
   *
   * @throws TemplateException when the template raises, fails on the data, or runs past {@code limits}
   */
  public String render(Map<String, ?> variables, Limits limits, Clock clock) {
    Map<String, Object> context = Builtins.globals();
    context.put("strftime_now", (Callable) (args, kwargs) -> {
      if (args.isEmpty() || !(args.get(0) instanceof String format)) {
        throw Py.typeError("strftime_now expects a format string");
      }
      return strftime(format, ZonedDateTime.now(clock));
    });
    for (Map.Entry<String, ?> e : variables.entrySet()) {
      context.put(e.getKey(), value(e.getValue(), 0));
    }
    return new Renderer(limits, new Builtins()).render(body, context);
  }

  /**
   * {@code value} (maps, lists, strings, numbers, booleans and nulls) as a template's
   * {@code tojson} writes it: Python's {@code json.dumps} with {@code ensure_ascii=False}, the
   * separators {@code ", "} and {@code ": "}, keys in their order.
   */
  public static String toJson(Object value) {
    return Py.json(value(value, 0), new Py.JsonStyle(null, false, null, null, false));
  }

  /** A Java value as the renderer's value model has it (ints as Long, maps keyed in order). */
  private static Object value(Object v, int depth) {
    if (depth > 256) {
      throw new TemplateException(TemplateException.Kind.LIMIT, "input nested too deeply");
    }
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) {
      return v;
    }
    if (v instanceof JsonNode node) {
      return json(node, depth);
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof BigInteger b) {
      return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
    }
    if (v instanceof BigDecimal d) {
      return d.doubleValue();
    }
    if (v instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      map.forEach((k, val) -> out.put(value(k, depth + 1), value(val, depth + 1)));
      return out;
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object item : list) {
        out.add(value(item, depth + 1));
      }
      return out;
    }
    throw new IllegalArgumentException("a template variable cannot be a " + v.getClass().getName());
  }

  /** A parsed JSON value, read straight from the tree (no copy through plain Java objects first). */
  private static Object json(JsonNode node, int depth) {
    if (node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isArray()) {
      List<Object> out = new ArrayList<>(node.size());
      for (JsonNode item : node) {
        out.add(value(item, depth + 1));
      }
      return out;
    }
    Map<Object, Object> out = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), value(e.getValue(), depth + 1)));
    return out;
  }

  /** Python's {@code strftime} for the directives templates use, in English. */
  static String strftime(String format, ZonedDateTime t) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 >= format.length()) {
        out.append(c);
        continue;
      }
      char d = format.charAt(++i);
      switch (d) {
        case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US));
        case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US));
        case 'b', 'h' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US));
        case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.US));
        case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
        case 'e' -> out.append(String.format("%2d", t.getDayOfMonth()));
        case '-' -> { // %-d, %-m: glibc's unpadded forms
          if (i + 1 < format.length()) {
            char e = format.charAt(++i);
            out.append(switch (e) {
              case 'd' -> String.valueOf(t.getDayOfMonth());
              case 'm' -> String.valueOf(t.getMonthValue());
              case 'H' -> String.valueOf(t.getHour());
              case 'I' -> String.valueOf(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
              case 'M' -> String.valueOf(t.getMinute());
              case 'S' -> String.valueOf(t.getSecond());
              case 'j' -> String.valueOf(t.getDayOfYear());
              default -> "%-" + e;
            });
          }
        }
        case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
        case 'y' -> out.append(String.format("%02d", t.getYear() % 100));
        case 'Y' -> out.append(t.getYear());
        case 'H' -> out.append(String.format("%02d", t.getHour()));
        case 'I' -> out.append(String.format("%02d", t.getHour() % 12 == 0 ? 12 : t.getHour() % 12));
        case 'M' -> out.append(String.format("%02d", t.getMinute()));
        case 'S' -> out.append(String.format("%02d", t.getSecond()));
        case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
        case 'j' -> out.append(String.format("%03d", t.getDayOfYear()));
        case 'f' -> out.append(String.format("%06d", t.getNano() / 1000));
        case 'z' -> out.append(t.getOffset().getId().equals("Z") ? "+0000" : t.getOffset().getId().replace(":", ""));
        case 'Z' -> out.append(t.getZone().getId().equals("Z") ? "UTC" : t.getZone().getId());
        case 'F' -> out.append(String.format("%04d-%02d-%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth()));
        case 'T' -> out.append(String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond()));
        case '%' -> out.append('%');
        default -> out.append('%').append(d);
      }
    }
    return out.toString();
  }
}

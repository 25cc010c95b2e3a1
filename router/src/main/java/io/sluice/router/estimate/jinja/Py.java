package io.sluice.router.estimate.jinja;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's semantics for the values a template handles, as Jinja inherits them: truthiness,
 * {@code str} and {@code repr}, equality and ordering across ints, floats and bools, arithmetic
 * with its type errors, iteration by code point, and {@code json.dumps}. Values are {@code null}
 * (None), {@link Boolean}, {@link Long}, {@link Double}, {@link String}, {@link List}, {@link Map},
 * {@link Undefined}, {@link Namespace} and {@link Callable}.
 */
final class Py {
  private Py() {}

  static TemplateException typeError(String message) {
    return new TemplateException(TemplateException.Kind.RUNTIME, message);
  }

  // ---- whitespace as Python's str.isspace sees it

  static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\u001c' && c <= '\u001f') || c == '\u0085'
        || (c > 127 && Character.isSpaceChar(c));
  }

  static boolean isBlank(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      if (!isSpace(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  static String rstrip(String s) {
    int end = s.length();
    while (end > 0 && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  static String lstrip(String s) {
    int start = 0;
    while (start < s.length() && isSpace(s.charAt(start))) {
      start++;
    }
    return s.substring(start);
  }

  /** {@code s.strip(chars)}; {@code chars} null strips whitespace. Which ends: -1 left, 1 right, 0 both. */
  static String strip(String s, String chars, int which) {
    int start = 0;
    int end = s.length();
    if (which <= 0) {
      while (start < end && stripped(s.charAt(start), chars)) {
        start++;
      }
    }
    if (which >= 0) {
      while (end > start && stripped(s.charAt(end - 1), chars)) {
        end--;
      }
    }
    return s.substring(start, end);
  }

  private static boolean stripped(char c, String chars) {
    return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
  }

  // ---- truth, text

  static boolean truthy(Object v) {
    if (v == null || v instanceof Undefined) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0.0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  /** Python's {@code str(v)}; an undefined value is the empty string, as Jinja prints it. */
  static String str(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Undefined) {
      return "";
    }
    return repr(v);
  }

  static String repr(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof Long || v instanceof Integer) {
      return v.toString();
    }
    if (v instanceof Double d) {
      return floatRepr(d);
    }
    if (v instanceof String s) {
      return stringRepr(s);
    }
    if (v instanceof Undefined) {
      return "";
    }
    if (v instanceof Tuple tuple) {
      StringBuilder out = new StringBuilder("(");
      for (int i = 0; i < tuple.size(); i++) {
        if (i > 0) {
          out.append(", ");
        }
        out.append(repr(tuple.get(i)));
      }
      return out.append(tuple.size() == 1 ? ",)" : ")").toString();
    }
    if (v instanceof List<?> list) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(", ");
        }
        out.append(repr(list.get(i)));
      }
      return out.append(']').toString();
    }
    if (v instanceof Map<?, ?> map) {
      StringBuilder out = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(", ");
        }
        first = false;
        out.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
      }
      return out.append('}').toString();
    }
    return v.toString();
  }

  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e16) {
      return (d == 0 && 1 / d < 0 ? "-" : "") + new BigDecimal(d).toBigInteger() + ".0";
    }
    String java = Double.toString(d);
    int e = java.indexOf('E');
    if (e < 0) {
      return java;
    }
    String mantissa = java.substring(0, e);
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    int exp = Integer.parseInt(java.substring(e + 1));
    if (exp >= -4 && exp < 16) { // Python writes these positionally
      return new BigDecimal(java).stripTrailingZeros().toPlainString();
    }
    return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }

  private static String stringRepr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder out = new StringBuilder().append(quote);
    s.codePoints().forEach(cp -> {
      if (cp == quote || cp == '\\') {
        out.append('\\').appendCodePoint(cp);
      } else if (cp == '\n') {
        out.append("\\n");
      } else if (cp == '\r') {
        out.append("\\r");
      } else if (cp == '\t') {
        out.append("\\t");
      } else if (cp < 0x20 || cp == 0x7f) {
        out.append(String.format("\\x%02x", cp));
      } else if (cp > 0x7f && !printable(cp)) {
        out.append(cp <= 0xff ? String.format("\\x%02x", cp)
            : cp <= 0xffff ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    });
    return out.append(quote).toString();
  }

  private static boolean printable(int cp) {
    int type = Character.getType(cp);
    return cp == ' ' || !(type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
        || type == Character.PRIVATE_USE || type == Character.UNASSIGNED || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR || type == Character.SPACE_SEPARATOR);
  }

  static String typeName(Object v) {
    if (v == null) {
      return "NoneType";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Long) {
      return "int";
    }
    if (v instanceof Double) {
      return "float";
    }
    if (v instanceof String) {
      return "str";
    }
    if (v instanceof List) {
      return "list";
    }
    if (v instanceof Map) {
      return "dict";
    }
    if (v instanceof Undefined) {
      return "Undefined";
    }
    if (v instanceof Namespace) {
      return "Namespace";
    }
    return "function";
  }

  // ---- numbers

  static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double || v instanceof Boolean;
  }

  private static boolean isIntegral(Object v) {
    return v instanceof Long || v instanceof Boolean;
  }

  static long toLong(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return ((Number) v).longValue();
  }

  static double toDouble(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return ((Number) v).doubleValue();
  }

  // ---- equality and order

  static boolean eq(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null) {
      return false;
    }
    if (a instanceof Undefined || b instanceof Undefined) {
      return a instanceof Undefined && b instanceof Undefined;
    }
    if (isNumber(a) && isNumber(b)) {
      if (isIntegral(a) && isIntegral(b)) {
        return toLong(a) == toLong(b);
      }
      return toDouble(a) == toDouble(b);
    }
    if (a instanceof String && b instanceof String) {
      return a.equals(b);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  static int compare(Object a, Object b, String op) {
    if (isNumber(a) && isNumber(b)) {
      if (isIntegral(a) && isIntegral(b)) {
        return Long.compare(toLong(a), toLong(b));
      }
      return Double.compare(toDouble(a), toDouble(b));
    }
    if (a instanceof String x && b instanceof String y) {
      return compareCodePoints(x, y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return compare(x.get(i), y.get(i), op);
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    throw typeError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
        + typeName(b) + "'");
  }

  private static int compareCodePoints(String x, String y) {
    Iterator<Integer> a = x.codePoints().iterator();
    Iterator<Integer> b = y.codePoints().iterator();
    while (a.hasNext() && b.hasNext()) {
      int c = Integer.compare(a.next(), b.next());
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(a.hasNext(), b.hasNext());
  }

  static boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      if (!(item instanceof String sub)) {
        throw typeError("'in <string>' requires string as left operand, not " + typeName(item));
      }
      return s.contains(sub);
    }
    if (container instanceof Map<?, ?> m) {
      for (Object key : m.keySet()) {
        if (eq(key, item)) {
          return true;
        }
      }
      return false;
    }
    if (container instanceof Namespace || container instanceof Undefined) {
      return false;
    }
    for (Object v : iterate(container)) {
      if (eq(v, item)) {
        return true;
      }
    }
    return false;
  }

  // ---- iteration and size

  static List<Object> iterate(Object v) {
    if (v instanceof List<?> list) {
      return new ArrayList<>(list);
    }
    if (v instanceof Map<?, ?> map) {
      return new ArrayList<>(map.keySet());
    }
    if (v instanceof String s) {
      List<Object> chars = new ArrayList<>();
      s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
      return chars;
    }
    if (v instanceof Undefined) {
      return new ArrayList<>();
    }
    throw typeError("'" + typeName(v) + "' object is not iterable");
  }

  static long length(Object v) {
    if (v instanceof String s) {
      return s.codePointCount(0, s.length());
    }
    if (v instanceof List<?> l) {
      return l.size();
    }
    if (v instanceof Map<?, ?> m) {
      return m.size();
    }
    if (v instanceof Undefined) {
      return 0;
    }
    throw typeError("object of type '" + typeName(v) + "' has no len()");
  }

  // ---- arithmetic

  static Object binary(String op, Object a, Object b) {
    if (a instanceof Undefined u) {
      throw u.error();
    }
    if (b instanceof Undefined u) {
      throw u.error();
    }
    switch (op) {
      case "+" -> {
        if (a instanceof String x && b instanceof String y) {
          checkSize((long) x.length() + y.length());
          return x + y;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
          checkSize((long) x.size() + y.size());
          List<Object> out = new ArrayList<>(x);
          out.addAll(y);
          return out;
        }
        if (isNumber(a) && isNumber(b)) {
          return isIntegral(a) && isIntegral(b) ? (Object) Math.addExact(toLong(a), toLong(b))
              : (Object) (toDouble(a) + toDouble(b));
        }
      }
      case "-" -> {
        if (isNumber(a) && isNumber(b)) {
          return isIntegral(a) && isIntegral(b) ? (Object) Math.subtractExact(toLong(a), toLong(b))
              : (Object) (toDouble(a) - toDouble(b));
        }
      }
      case "*" -> {
        if (isNumber(a) && isNumber(b)) {
          return isIntegral(a) && isIntegral(b) ? (Object) Math.multiplyExact(toLong(a), toLong(b))
              : (Object) (toDouble(a) * toDouble(b));
        }
        if ((a instanceof String || a instanceof List) && isIntegral(b)) {
          return repeat(a, toLong(b));
        }
        if ((b instanceof String || b instanceof List) && isIntegral(a)) {
          return repeat(b, toLong(a));
        }
      }
      case "/" -> {
        if (isNumber(a) && isNumber(b)) {
          if (toDouble(b) == 0) {
            throw typeError("division by zero");
          }
          return toDouble(a) / toDouble(b);
        }
      }
      case "//", "%" -> {
        if (isNumber(a) && isNumber(b)) {
          if (toDouble(b) == 0) {
            throw typeError("integer division or modulo by zero");
          }
          if (isIntegral(a) && isIntegral(b)) {
            return op.equals("//") ? Math.floorDiv(toLong(a), toLong(b)) : Math.floorMod(toLong(a), toLong(b));
          }
          double x = toDouble(a);
          double y = toDouble(b);
          double q = Math.floor(x / y);
          return op.equals("//") ? q : x - q * y;
        }
      }
      case "**" -> {
        if (isNumber(a) && isNumber(b)) {
          if (isIntegral(a) && isIntegral(b) && toLong(b) >= 0) {
            long result = 1;
            for (long i = 0; i < toLong(b); i++) {
              result = Math.multiplyExact(result, toLong(a));
            }
            return result;
          }
          return Math.pow(toDouble(a), toDouble(b));
        }
      }
      default -> {
      }
    }
    throw typeError("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
  }

  /**
   * The most characters (or items) one string (or list) a template builds may hold: the output
   * bound alone would let {@code s + s} double a value in memory long before anything is written.
   */
  static final long MAX_SIZE = 1L << 26;

  /** Refuses to build a value of {@code size} characters or items past {@link #MAX_SIZE}. */
  static void checkSize(long size) {
    if (size > MAX_SIZE) {
      throw new TemplateException(TemplateException.Kind.LIMIT, "a value of " + size + " characters or items");
    }
  }

  private static Object repeat(Object seq, long times) {
    if (times > 1_000_000) {
      throw new TemplateException(TemplateException.Kind.LIMIT, "repetition too large");
    }
    checkSize(Math.max(0, times) * (seq instanceof String s ? s.length() : ((List<?>) seq).size()));
    if (seq instanceof String s) {
      return times <= 0 ? "" : s.repeat((int) times);
    }
    List<Object> out = new ArrayList<>();
    for (long i = 0; i < times; i++) {
      out.addAll((List<?>) seq);
    }
    return out;
  }

  // ---- JSON as Python's json.dumps(ensure_ascii=False) writes it

  /** How {@code json.dumps} lays out: {@code indent} null for one line, separators null for its defaults. */
  record JsonStyle(Integer indent, boolean sortKeys, String itemSeparator, String keySeparator, boolean ascii) {
    JsonStyle {
      if (itemSeparator == null) {
        itemSeparator = indent == null ? ", " : ",";
      }
      if (keySeparator == null) {
        keySeparator = ": ";
      }
    }
  }

  static String json(Object v, JsonStyle style) {
    StringBuilder out = new StringBuilder();
    json(v, style, 0, out);
    return out.toString();
  }

  private static void json(Object v, JsonStyle style, int level, StringBuilder out) {
    Integer indent = style.indent();
    if (level > 200) {
      throw typeError("value nested too deeply for tojson");
    }
    if (v == null) {
      out.append("null");
    } else if (v instanceof Boolean b) {
      out.append(b);
    } else if (v instanceof Long l) {
      out.append(l);
    } else if (v instanceof Double d) {
      out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : floatRepr(d));
    } else if (v instanceof String s) {
      jsonString(s, style.ascii(), out);
    } else if (v instanceof List<?> list) {
      if (list.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(style.itemSeparator());
        }
        newline(indent, level + 1, out);
        json(list.get(i), style, level + 1, out);
      }
      newline(indent, level, out);
      out.append(']');
    } else if (v instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
      if (style.sortKeys()) {
        entries.sort((x, y) -> compare(jsonKey(x.getKey()), jsonKey(y.getKey()), "<"));
      }
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : entries) {
        if (!first) {
          out.append(style.itemSeparator());
        }
        first = false;
        newline(indent, level + 1, out);
        jsonString(jsonKey(e.getKey()), style.ascii(), out);
        out.append(style.keySeparator());
        json(e.getValue(), style, level + 1, out);
      }
      newline(indent, level, out);
      out.append('}');
    } else if (v instanceof Undefined) {
      throw typeError("Object of type Undefined is not JSON serializable");
    } else {
      throw typeError("Object of type " + typeName(v) + " is not JSON serializable");
    }
  }

  private static String jsonKey(Object key) {
    if (key instanceof String s) {
      return s;
    }
    if (key == null) {
      return "null";
    }
    if (key instanceof Boolean b) {
      return b.toString();
    }
    if (key instanceof Long || key instanceof Double) {
      return repr(key);
    }
    throw typeError("keys must be str, int, float, bool or None, not " + typeName(key));
  }

  private static void newline(Integer indent, int level, StringBuilder out) {
    if (indent != null) {
      out.append('\n');
      for (int i = 0; i < indent * level; i++) {
        out.append(' ');
      }
    }
  }

  private static void jsonString(String s, boolean ascii, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (ascii && c > 0x7e)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}

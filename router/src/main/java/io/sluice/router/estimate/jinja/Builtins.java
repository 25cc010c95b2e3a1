package io.sluice.router.estimate.jinja;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a template can reach beyond its data: Jinja's filters and tests, the {@code loop} object,
 * and the methods of strings, lists and dicts that Python would give it. This is the sandbox:
 * nothing else is reachable (no Java object is ever looked into), and as in Jinja's immutable
 * sandbox, the methods that would change a list or dict raise.
 */
final class Builtins {
  private static final Set<String> MUTATORS = Set.of("append", "extend", "insert", "pop", "remove", "clear",
      "sort", "reverse", "update", "setdefault", "popitem");

  // ---- the loop object

  /** {@code loop} inside a for loop. */
  record Loop(List<Object> items, int index) {
    Object attribute(String name) {
      int n = items.size();
      return switch (name) {
        case "index" -> (long) index + 1;
        case "index0" -> (long) index;
        case "revindex" -> (long) (n - index);
        case "revindex0" -> (long) (n - index - 1);
        case "first" -> index == 0;
        case "last" -> index == n - 1;
        case "length" -> (long) n;
        case "depth" -> 1L;
        case "depth0" -> 0L;
        case "previtem" -> index > 0 ? items.get(index - 1) : new Undefined("'loop.previtem'");
        case "nextitem" -> index < n - 1 ? items.get(index + 1) : new Undefined("'loop.nextitem'");
        case "cycle" -> (Callable) (args, kwargs) -> {
          if (args.isEmpty()) {
            throw Py.typeError("no items for cycling given");
          }
          return args.get(index % args.size());
        };
        default -> new Undefined("'loop." + name + "'");
      };
    }

    @Override
    public String toString() {
      return "<LoopContext " + (index + 1) + "/" + items.size() + ">";
    }
  }

  // ---- member access

  Object getAttr(Object target, String name) {
    if (target instanceof Undefined u) {
      throw u.error();
    }
    if (name.startsWith("_")) {
      return new Undefined("'" + name + "' (not accessible)");
    }
    if (target instanceof Map<?, ?> map) {
      Callable method = dictMethod(map, name);
      if (method != null) {
        return method;
      }
      return item(map, name);
    }
    if (target instanceof Namespace ns) {
      Object v = ns.attributes.get(name);
      return v != null || ns.attributes.containsKey(name) ? v : new Undefined("'" + name + "'");
    }
    if (target instanceof Loop loop) {
      return loop.attribute(name);
    }
    if (target instanceof String s) {
      Callable method = stringMethod(s, name);
      return method != null ? method : new Undefined("'str object' has no attribute '" + name + "'");
    }
    if (target instanceof List<?> list) {
      Callable method = listMethod(list, name);
      return method != null ? method : new Undefined("'list object' has no attribute '" + name + "'");
    }
    return new Undefined("'" + Py.typeName(target) + " object' has no attribute '" + name + "'");
  }

  Object getItem(Object target, Object key) {
    if (target instanceof Undefined u) {
      throw u.error();
    }
    if (target instanceof Map<?, ?> map) {
      Object v = item(map, key);
      if (v instanceof Undefined && key instanceof String name) {
        Callable method = dictMethod(map, name);
        return method != null ? method : v;
      }
      return v;
    }
    if ((target instanceof List || target instanceof String) && (key instanceof Long || key instanceof Boolean)) {
      List<?> seq = target instanceof String s ? Py.iterate(s) : (List<?>) target;
      long i = Py.toLong(key);
      if (i < 0) {
        i += seq.size();
      }
      if (i < 0 || i >= seq.size()) {
        return new Undefined("index " + key);
      }
      return seq.get((int) i);
    }
    if (key instanceof String name) {
      return getAttr(target, name);
    }
    return new Undefined("item " + Py.repr(key));
  }

  private static Object item(Map<?, ?> map, Object key) {
    Object v = map.get(key);
    if (v != null || map.containsKey(key)) {
      return v;
    }
    if (Py.isNumber(key)) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (Py.eq(e.getKey(), key)) {
          return e.getValue();
        }
      }
    }
    return new Undefined("'dict object' has no attribute " + Py.repr(key));
  }

  static Object slice(Object target, Object start, Object stop, Object step) {
    List<?> seq;
    if (target instanceof String s) {
      seq = Py.iterate(s);
    } else if (target instanceof List<?> l) {
      seq = l;
    } else {
      throw Py.typeError("'" + Py.typeName(target) + "' object is not subscriptable");
    }
    int n = seq.size();
    long st = step == null ? 1 : index(step);
    if (st == 0) {
      throw Py.typeError("slice step cannot be zero");
    }
    long lo;
    long hi;
    if (st > 0) {
      lo = start == null ? 0 : clamp(index(start), n, 0, n);
      hi = stop == null ? n : clamp(index(stop), n, 0, n);
    } else {
      lo = start == null ? n - 1 : clamp(index(start), n, -1, n - 1);
      hi = stop == null ? -1 : clamp(index(stop), n, -1, n - 1);
    }
    List<Object> out = new ArrayList<>();
    for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
      out.add(seq.get((int) i));
    }
    if (target instanceof String) {
      StringBuilder s = new StringBuilder();
      for (Object c : out) {
        s.append((String) c);
      }
      return s.toString();
    }
    return out;
  }

  private static long index(Object v) {
    if (v instanceof Long || v instanceof Boolean) {
      return Py.toLong(v);
    }
    throw Py.typeError("slice indices must be integers or None");
  }

  private static long clamp(long i, int n, long lo, long hi) {
    if (i < 0) {
      i += n;
    }
    return Math.max(lo, Math.min(hi, i));
  }

  // ---- methods

  private static Callable dictMethod(Map<?, ?> map, String name) {
    return switch (name) {
      case "items" -> (args, kwargs) -> {
        List<Object> items = new ArrayList<>();
        map.forEach((k, v) -> items.add(new Tuple(java.util.Arrays.asList(k, v))));
        return items;
      };
      case "keys" -> (args, kwargs) -> new ArrayList<Object>(map.keySet());
      case "values" -> (args, kwargs) -> new ArrayList<Object>(map.values());
      case "get" -> (args, kwargs) -> {
        if (args.isEmpty()) {
          throw Py.typeError("get expected at least 1 argument");
        }
        Object v = item(map, args.get(0));
        return v instanceof Undefined ? (args.size() > 1 ? args.get(1) : null) : v;
      };
      case "copy" -> (args, kwargs) -> new LinkedHashMap<Object, Object>(map);
      default -> MUTATORS.contains(name) ? unsafe("dict", name) : null;
    };
  }

  private static Callable listMethod(List<?> list, String name) {
    return switch (name) {
      case "index" -> (args, kwargs) -> {
        for (int i = 0; i < list.size(); i++) {
          if (Py.eq(list.get(i), arg(args, 0, "index"))) {
            return (long) i;
          }
        }
        throw Py.typeError(Py.repr(args.get(0)) + " is not in list");
      };
      case "count" -> (args, kwargs) -> list.stream().filter(v -> Py.eq(v, arg(args, 0, "count"))).count();
      case "copy" -> (args, kwargs) -> new ArrayList<Object>(list);
      default -> MUTATORS.contains(name) ? unsafe("list", name) : null;
    };
  }

  private static Callable unsafe(String type, String name) {
    return (args, kwargs) -> {
      throw Py.typeError("access to attribute '" + name + "' of '" + type + "' object is unsafe");
    };
  }

  private static Object arg(List<Object> args, int i, String method) {
    if (i >= args.size()) {
      throw Py.typeError(method + "() missing an argument");
    }
    return args.get(i);
  }

  private static String stringArg(List<Object> args, int i, String method) {
    Object v = arg(args, i, method);
    if (!(v instanceof String s)) {
      throw Py.typeError(method + "() argument must be str, not " + Py.typeName(v));
    }
    return s;
  }

  private static String optionalChars(List<Object> args, String method) {
    if (args.isEmpty() || args.get(0) == null) {
      return null;
    }
    return stringArg(args, 0, method);
  }

  private static Callable stringMethod(String s, String name) {
    return switch (name) {
      case "strip" -> (args, kwargs) -> Py.strip(s, optionalChars(args, name), 0);
      case "lstrip" -> (args, kwargs) -> Py.strip(s, optionalChars(args, name), -1);
      case "rstrip" -> (args, kwargs) -> Py.strip(s, optionalChars(args, name), 1);
      case "upper" -> (args, kwargs) -> s.toUpperCase(Locale.ROOT);
      case "lower" -> (args, kwargs) -> s.toLowerCase(Locale.ROOT);
      case "title" -> (args, kwargs) -> title(s);
      case "capitalize" -> (args, kwargs) -> capitalize(s);
      case "startswith", "endswith" -> (args, kwargs) -> {
        Object prefixes = arg(args, 0, name);
        String subject = s;
        if (args.size() > 1 && args.get(1) != null) {
          subject = (String) slice(s, args.get(1), args.size() > 2 ? args.get(2) : null, null);
        }
        for (Object p : prefixes instanceof List<?> l ? l : List.of(prefixes)) {
          if (!(p instanceof String prefix)) {
            throw Py.typeError(name + " first arg must be str or a tuple of str, not " + Py.typeName(p));
          }
          if (name.equals("startswith") ? subject.startsWith(prefix) : subject.endsWith(prefix)) {
            return true;
          }
        }
        return false;
      };
      case "split", "rsplit" -> (args, kwargs) -> {
        Object sep = args.isEmpty() ? kwargs.get("sep") : args.get(0);
        Object max = args.size() > 1 ? args.get(1) : kwargs.getOrDefault("maxsplit", -1L);
        return split(s, (String) sep, Py.toLong(max), name.equals("rsplit"));
      };
      case "splitlines" -> (args, kwargs) -> {
        List<Object> lines = new ArrayList<>();
        boolean keep = !args.isEmpty() && Py.truthy(args.get(0));
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
          char c = s.charAt(i);
          if (c == '\n' || c == '\r' || c == '\u000b' || c == '\u000c' || (c >= '\u001c' && c <= '\u001e')
              || c == '\u0085' || c == '\u2028' || c == '\u2029') {
            int end = i;
            if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
              i++;
            }
            lines.add(s.substring(start, keep ? i + 1 : end));
            start = i + 1;
          }
        }
        if (start < s.length()) {
          lines.add(s.substring(start));
        }
        return lines;
      };
      case "replace" -> (args, kwargs) -> replace(s, stringArg(args, 0, name), stringArg(args, 1, name),
          args.size() > 2 ? Py.toLong(args.get(2)) : -1);
      case "find", "rfind", "index", "rindex" -> (args, kwargs) -> {
        String sub = stringArg(args, 0, name);
        int i = name.startsWith("r") ? s.lastIndexOf(sub) : s.indexOf(sub);
        if (i < 0 && name.contains("index")) {
          throw Py.typeError("substring not found");
        }
        return i < 0 ? -1L : (long) s.codePointCount(0, i);
      };
      case "count" -> (args, kwargs) -> {
        String sub = stringArg(args, 0, name);
        if (sub.isEmpty()) {
          return Py.length(s) + 1;
        }
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
          n++;
        }
        return n;
      };
      case "join" -> (args, kwargs) -> {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : Py.iterate(arg(args, 0, name))) {
          if (!(item instanceof String text)) {
            throw Py.typeError("sequence item: expected str instance, " + Py.typeName(item) + " found");
          }
          if (!first) {
            out.append(s);
          }
          first = false;
          out.append(text);
        }
        return out.toString();
      };
      case "isdigit", "isnumeric", "isdecimal" -> (args, kwargs) -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
      case "isalpha" -> (args, kwargs) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
      case "isalnum" -> (args, kwargs) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
      case "isspace" -> (args, kwargs) -> !s.isEmpty() && Py.isBlank(s, 0);
      case "isupper" -> (args, kwargs) -> s.chars().anyMatch(Character::isUpperCase) && !s.chars().anyMatch(Character::isLowerCase);
      case "islower" -> (args, kwargs) -> s.chars().anyMatch(Character::isLowerCase) && !s.chars().anyMatch(Character::isUpperCase);
      case "zfill" -> (args, kwargs) -> {
        long width = Py.toLong(arg(args, 0, name));
        if (s.length() >= width) {
          return s;
        }
        String pad = "0".repeat((int) Math.min(width - s.length(), 1_000_000));
        return s.startsWith("-") || s.startsWith("+") ? s.charAt(0) + pad + s.substring(1) : pad + s;
      };
      case "format" -> (args, kwargs) -> format(s, args, kwargs);
      default -> null;
    };
  }

  static List<Object> split(String s, String sep, long max, boolean fromRight) {
    List<Object> parts = new ArrayList<>();
    if (sep == null) {
      List<String> words = new ArrayList<>();
      int i = 0;
      while (i < s.length()) {
        while (i < s.length() && Py.isSpace(s.charAt(i))) {
          i++;
        }
        if (i >= s.length()) {
          break;
        }
        int start = i;
        while (i < s.length() && !Py.isSpace(s.charAt(i))) {
          i++;
        }
        words.add(s.substring(start, i));
      }
      if (max >= 0 && words.size() > max) {
        // rejoin the tail with its original spacing: find where word max+1 starts
        if (!fromRight) {
          int seen = 0;
          int j = 0;
          while (seen < max) {
            while (Py.isSpace(s.charAt(j))) {
              j++;
            }
            int start = j;
            while (j < s.length() && !Py.isSpace(s.charAt(j))) {
              j++;
            }
            parts.add(s.substring(start, j));
            seen++;
          }
          parts.add(Py.lstrip(s.substring(j)));
          return parts;
        }
        int seen = 0;
        int j = s.length();
        List<Object> tail = new ArrayList<>();
        while (seen < max) {
          while (Py.isSpace(s.charAt(j - 1))) {
            j--;
          }
          int end = j;
          while (j > 0 && !Py.isSpace(s.charAt(j - 1))) {
            j--;
          }
          tail.add(0, s.substring(j, end));
          seen++;
        }
        parts.add(Py.rstrip(s.substring(0, j)));
        parts.addAll(tail);
        return parts;
      }
      parts.addAll(words);
      return parts;
    }
    if (sep.isEmpty()) {
      throw Py.typeError("empty separator");
    }
    if (fromRight && max >= 0) {
      List<Object> tail = new ArrayList<>();
      int end = s.length();
      while (tail.size() < max) {
        int i = s.lastIndexOf(sep, end - sep.length());
        if (i < 0 || end - sep.length() < 0) {
          break;
        }
        tail.add(0, s.substring(i + sep.length(), end));
        end = i;
      }
      parts.add(s.substring(0, end));
      parts.addAll(tail);
      return parts;
    }
    int start = 0;
    while (max < 0 || parts.size() < max) {
      int i = s.indexOf(sep, start);
      if (i < 0) {
        break;
      }
      parts.add(s.substring(start, i));
      start = i + sep.length();
    }
    parts.add(s.substring(start));
    return parts;
  }

  private static String replace(String s, String old, String with, long count) {
    long most = old.isEmpty() ? s.length() + 1L : s.length() / old.length();
    Py.checkSize(s.length() + Math.min(most, count < 0 ? most : count) * (long) with.length());
    if (count < 0) {
      return s.replace(old, with);
    }
    StringBuilder out = new StringBuilder();
    int start = 0;
    for (long n = 0; n < count; n++) {
      int i = s.indexOf(old, start);
      if (i < 0 || (old.isEmpty() && i > s.length())) {
        break;
      }
      out.append(s, start, i).append(with);
      if (old.isEmpty()) {
        if (i < s.length()) {
          out.append(s.charAt(i));
        }
        start = i + 1;
        if (start > s.length()) {
          return out.toString();
        }
      } else {
        start = i + old.length();
      }
    }
    return out.append(s.substring(Math.min(start, s.length()))).toString();
  }

  private static String title(String s) {
    StringBuilder out = new StringBuilder();
    boolean previousCased = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
      previousCased = Character.isLetter(c);
    }
    return out.toString();
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
  }

  /** {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
  private static String format(String s, List<Object> args, Map<String, Object> kwargs) {
    StringBuilder out = new StringBuilder();
    int auto = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
        out.append('{');
        i++;
      } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
        out.append('}');
        i++;
      } else if (c == '{') {
        int end = s.indexOf('}', i);
        if (end < 0) {
          throw Py.typeError("Single '{' encountered in format string");
        }
        String field = s.substring(i + 1, end);
        Object v;
        if (field.isEmpty()) {
          v = arg(args, auto++, "format");
        } else if (field.chars().allMatch(Character::isDigit)) {
          v = arg(args, Integer.parseInt(field), "format");
        } else if (kwargs.containsKey(field)) {
          v = kwargs.get(field);
        } else {
          throw Py.typeError("format field " + field + " is not supported");
        }
        out.append(Py.str(v));
        i = end;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  // ---- tests

  boolean test(String name, Object v, List<Object> args) {
    return switch (name) {
      case "defined" -> !(v instanceof Undefined);
      case "undefined" -> v instanceof Undefined;
      case "none" -> v == null;
      case "boolean" -> v instanceof Boolean;
      case "true" -> Boolean.TRUE.equals(v);
      case "false" -> Boolean.FALSE.equals(v);
      case "integer" -> v instanceof Long;
      case "float" -> v instanceof Double;
      case "number" -> Py.isNumber(v);
      case "string" -> v instanceof String;
      case "mapping" -> v instanceof Map;
      case "iterable" -> v instanceof String || v instanceof List || v instanceof Map || v instanceof Undefined;
      case "sequence" -> v instanceof String || v instanceof List || v instanceof Map;
      case "callable" -> v instanceof Callable;
      case "lower" -> Py.str(v).equals(Py.str(v).toLowerCase(Locale.ROOT));
      case "upper" -> Py.str(v).equals(Py.str(v).toUpperCase(Locale.ROOT));
      case "odd" -> Py.toLong(number(v, name)) % 2 != 0;
      case "even" -> Py.toLong(number(v, name)) % 2 == 0;
      case "divisibleby" -> Py.toLong(number(v, name)) % Py.toLong(number(arg(args, 0, name), name)) == 0;
      case "eq", "equalto", "==" -> Py.eq(v, arg(args, 0, name));
      case "ne", "!=" -> !Py.eq(v, arg(args, 0, name));
      case "lt", "lessthan", "<" -> Py.compare(v, arg(args, 0, name), "<") < 0;
      case "le", "<=" -> Py.compare(v, arg(args, 0, name), "<=") <= 0;
      case "gt", "greaterthan", ">" -> Py.compare(v, arg(args, 0, name), ">") > 0;
      case "ge", ">=" -> Py.compare(v, arg(args, 0, name), ">=") >= 0;
      case "in" -> Py.contains(arg(args, 0, name), v);
      case "sameas" -> v == arg(args, 0, name) || (v != null && v.equals(arg(args, 0, name)) && !(v instanceof Map)
          && !(v instanceof List));
      case "escaped" -> false;
      default -> throw new TemplateException(TemplateException.Kind.SYNTAX, "no test named '" + name + "'");
    };
  }

  private static Object number(Object v, String test) {
    if (!(v instanceof Long || v instanceof Boolean)) {
      throw Py.typeError("the " + test + " test needs an integer, not " + Py.typeName(v));
    }
    return v;
  }

  // ---- filters

  Object filter(String name, Object v, List<Object> args, Map<String, Object> kwargs, Renderer renderer) {
    switch (name) {
      case "default", "d" -> {
        Object fallback = param(args, kwargs, 0, "default_value", "");
        boolean asBoolean = Py.truthy(param(args, kwargs, 1, "boolean", false));
        return v instanceof Undefined || (asBoolean && !Py.truthy(v)) ? fallback : v;
      }
      case "safe" -> {
        return v;
      }
      case "string" -> {
        return Py.str(v);
      }
      default -> {
      }
    }
    if (v instanceof Undefined u && !Set.of("length", "count", "list", "trim", "join", "first", "last", "upper",
        "lower", "capitalize", "title", "wordcount", "e", "escape", "reverse", "select", "reject", "selectattr",
        "rejectattr", "map", "unique", "sort", "items", "indent").contains(name)) {
      throw u.error();
    }
    return switch (name) {
      case "trim" -> Py.strip(Py.str(v), (String) param(args, kwargs, 0, "chars", null), 0);
      case "length", "count" -> Py.length(v);
      case "upper" -> Py.str(v).toUpperCase(Locale.ROOT);
      case "lower" -> Py.str(v).toLowerCase(Locale.ROOT);
      case "capitalize" -> capitalize(Py.str(v));
      case "title" -> title(Py.str(v));
      case "list" -> Py.iterate(v);
      case "first" -> {
        List<Object> items = Py.iterate(v);
        yield items.isEmpty() ? new Undefined("the first item of an empty sequence") : items.get(0);
      }
      case "last" -> {
        List<Object> items = Py.iterate(v);
        yield items.isEmpty() ? new Undefined("the last item of an empty sequence") : items.get(items.size() - 1);
      }
      case "tojson" -> {
        // transformers' tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)
        boolean ascii = Py.truthy(param(args, kwargs, 0, "ensure_ascii", false));
        Object indent = param(args, kwargs, 1, "indent", null);
        Object separators = param(args, kwargs, 2, "separators", null);
        boolean sortKeys = Py.truthy(param(args, kwargs, 3, "sort_keys", false));
        String item = null;
        String key = null;
        if (separators instanceof List<?> pair && pair.size() == 2) {
          item = Py.str(pair.get(0));
          key = Py.str(pair.get(1));
        } else if (separators != null) {
          throw Py.typeError("separators must be a pair of strings");
        }
        yield Py.json(v, new Py.JsonStyle(indent == null ? null : (int) Math.min(Py.toLong(indent), 100), sortKeys,
            item, key, ascii));
      }
      case "join" -> {
        String sep = Py.str(param(args, kwargs, 0, "d", ""));
        Object attribute = param(args, kwargs, 1, "attribute", null);
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : Py.iterate(v)) {
          renderer.step();
          if (!first) {
            out.append(sep);
          }
          first = false;
          out.append(Py.str(attribute == null ? item : attribute(item, Py.str(attribute))));
        }
        yield out.toString();
      }
      case "replace" -> replace(Py.str(v), Py.str(arg(args, 0, name)), Py.str(arg(args, 1, name)),
          args.size() > 2 ? Py.toLong(args.get(2)) : -1);
      case "map" -> map(v, args, kwargs, renderer);
      case "select", "reject" -> {
        List<Object> out = new ArrayList<>();
        for (Object item : Py.iterate(v)) {
          renderer.step();
          boolean hit = args.isEmpty() ? Py.truthy(item)
              : test(Py.str(args.get(0)), item, args.subList(1, args.size()));
          if (hit == name.equals("select")) {
            out.add(item);
          }
        }
        yield out;
      }
      case "selectattr", "rejectattr" -> {
        String attribute = Py.str(arg(args, 0, name));
        List<Object> out = new ArrayList<>();
        for (Object item : Py.iterate(v)) {
          renderer.step();
          Object value = attribute(item, attribute);
          boolean hit = args.size() < 2 ? Py.truthy(value)
              : test(Py.str(args.get(1)), value, args.subList(2, args.size()));
          if (hit == name.equals("selectattr")) {
            out.add(item);
          }
        }
        yield out;
      }
      case "attr" -> { // getattr only: a dict's keys are not its attributes
        String attribute = Py.str(arg(args, 0, name));
        yield v instanceof Map<?, ?> map && dictMethod(map, attribute) == null
            ? new Undefined("attribute '" + attribute + "'") : getAttr(v, attribute);
      }
      case "items" -> {
        if (v instanceof Undefined) {
          yield new ArrayList<>();
        }
        if (!(v instanceof Map<?, ?> map)) {
          throw Py.typeError("can only get item pairs from a mapping");
        }
        yield dictMethod(map, "items").call(List.of(), Map.of());
      }
      case "dictsort" -> {
        if (!(v instanceof Map<?, ?> map)) {
          throw Py.typeError("dictsort needs a mapping");
        }
        boolean byValue = "value".equals(param(args, kwargs, 2, "by", "key"));
        boolean reverse = Py.truthy(param(args, kwargs, 3, "reverse", false));
        @SuppressWarnings("unchecked")
        List<Object> items = (List<Object>) dictMethod(map, "items").call(List.of(), Map.of());
        Comparator<Object> order = (a, b) -> Py.compare(sortKey(((List<?>) a).get(byValue ? 1 : 0)),
            sortKey(((List<?>) b).get(byValue ? 1 : 0)), "<");
        items.sort(reverse ? order.reversed() : order);
        yield items;
      }
      case "reverse" -> {
        if (v instanceof String s) {
          yield new StringBuilder(s).reverse().toString();
        }
        List<Object> items = Py.iterate(v);
        java.util.Collections.reverse(items);
        yield items;
      }
      case "sort" -> {
        boolean reverse = Py.truthy(param(args, kwargs, 0, "reverse", false));
        boolean caseSensitive = Py.truthy(param(args, kwargs, 1, "case_sensitive", false));
        Object attribute = param(args, kwargs, 2, "attribute", null);
        List<Object> items = Py.iterate(v);
        Comparator<Object> order = (a, b) -> {
          Object x = attribute == null ? a : attribute(a, Py.str(attribute));
          Object y = attribute == null ? b : attribute(b, Py.str(attribute));
          return Py.compare(caseSensitive ? x : sortKey(x), caseSensitive ? y : sortKey(y), "<");
        };
        items.sort(reverse ? order.reversed() : order);
        yield items;
      }
      case "unique" -> {
        List<Object> out = new ArrayList<>();
        for (Object item : Py.iterate(v)) {
          if (out.stream().noneMatch(o -> Py.eq(sortKey(o), sortKey(item)))) {
            out.add(item);
          }
        }
        yield out;
      }
      case "min", "max" -> {
        List<Object> items = Py.iterate(v);
        if (items.isEmpty()) {
          yield new Undefined("the " + name + " of an empty sequence");
        }
        Object best = items.get(0);
        for (Object item : items) {
          int c = Py.compare(sortKey(item), sortKey(best), "<");
          if (name.equals("min") ? c < 0 : c > 0) {
            best = item;
          }
        }
        yield best;
      }
      case "sum" -> {
        Object attribute = param(args, kwargs, 0, "attribute", null);
        Object total = param(args, kwargs, 1, "start", 0L);
        for (Object item : Py.iterate(v)) {
          total = Py.binary("+", total, attribute == null ? item : attribute(item, Py.str(attribute)));
        }
        yield total;
      }
      case "int" -> toInt(v, param(args, kwargs, 0, "default", 0L));
      case "float" -> toFloat(v, param(args, kwargs, 0, "default", 0.0));
      case "abs" -> {
        if (v instanceof Long l) {
          yield Math.abs(l);
        }
        if (v instanceof Double d) {
          yield Math.abs(d);
        }
        throw Py.typeError("bad operand type for abs(): '" + Py.typeName(v) + "'");
      }
      case "round" -> {
        int precision = (int) Py.toLong(param(args, kwargs, 0, "precision", 0L));
        String method = Py.str(param(args, kwargs, 1, "method", "common"));
        java.math.RoundingMode mode = switch (method) {
          case "ceil" -> java.math.RoundingMode.CEILING;
          case "floor" -> java.math.RoundingMode.FLOOR;
          default -> java.math.RoundingMode.HALF_EVEN; // Python's round() on the exact binary value
        };
        yield new java.math.BigDecimal(Py.toDouble(v)).setScale(precision, mode).doubleValue();
      }
      case "e", "escape" -> Py.str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
          .replace("\"", "&#34;").replace("'", "&#39;");
      case "indent" -> {
        Object widthArg = param(args, kwargs, 0, "width", 4L);
        String pad = widthArg instanceof String s ? s : " ".repeat((int) Math.min(Py.toLong(widthArg), 1000));
        boolean first = Py.truthy(param(args, kwargs, 1, "first", false));
        boolean blank = Py.truthy(param(args, kwargs, 2, "blank", false));
        String text = Py.str(v);
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
          if (i > 0) {
            out.append('\n');
          }
          boolean indentThis = (i > 0 || first) && (blank || !lines[i].isEmpty());
          out.append(indentThis ? pad : "").append(lines[i]);
        }
        yield out.toString();
      }
      case "wordcount" -> (long) split(Py.str(v), null, -1, false).size();
      case "batch" -> {
        long size = Py.toLong(arg(args, 0, name));
        if (size <= 0) {
          throw Py.typeError("batch size must be positive");
        }
        Object fill = args.size() > 1 ? args.get(1) : kwargs.get("fill_with");
        List<Object> out = new ArrayList<>();
        List<Object> batch = new ArrayList<>();
        for (Object item : Py.iterate(v)) {
          batch.add(item);
          if (batch.size() == size) {
            out.add(batch);
            batch = new ArrayList<>();
          }
        }
        if (!batch.isEmpty()) {
          while (fill != null && batch.size() < size) {
            batch.add(fill);
          }
          out.add(batch);
        }
        yield out;
      }
      case "format" -> printf(Py.str(v), args);
      case "center" -> {
        long width = Py.toLong(param(args, kwargs, 0, "width", 80L));
        String s = Py.str(v);
        long total = Math.min(width, 100_000) - s.length();
        if (total <= 0) {
          yield s;
        }
        long left = total / 2 + (total & width & 1);
        yield " ".repeat((int) left) + s + " ".repeat((int) (total - left));
      }
      default -> throw new TemplateException(TemplateException.Kind.SYNTAX, "no filter named '" + name + "'");
    };
  }

  private Object map(Object v, List<Object> args, Map<String, Object> kwargs, Renderer renderer) {
    List<Object> out = new ArrayList<>();
    if (kwargs.containsKey("attribute")) {
      String attribute = Py.str(kwargs.get("attribute"));
      boolean hasDefault = kwargs.containsKey("default");
      for (Object item : Py.iterate(v)) {
        renderer.step();
        Object value = attribute(item, attribute);
        out.add(value instanceof Undefined && hasDefault ? kwargs.get("default") : value);
      }
      return out;
    }
    if (args.isEmpty()) {
      throw Py.typeError("map requires a filter argument");
    }
    String filter = Py.str(args.get(0));
    List<Object> rest = args.subList(1, args.size());
    for (Object item : Py.iterate(v)) {
      renderer.step();
      out.add(filter(filter, item, rest, kwargs, renderer));
    }
    return out;
  }

  /** {@code attribute} of an item, dotted paths and integer parts included, as Jinja's attrgetter reads it. */
  private Object attribute(Object item, String path) {
    Object value = item;
    for (String part : path.split("\\.", -1)) {
      Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part;
      value = getItem(value, key);
      if (value instanceof Undefined) {
        return value;
      }
    }
    return value;
  }

  private static Object sortKey(Object v) {
    return v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
  }

  private static Object param(List<Object> args, Map<String, Object> kwargs, int position, String name,
      Object fallback) {
    if (position >= 0 && position < args.size()) {
      return args.get(position);
    }
    return kwargs.containsKey(name) ? kwargs.get(name) : fallback;
  }

  private static Object toInt(Object v, Object fallback) {
    if (v instanceof Long) {
      return v;
    }
    if (v instanceof Boolean b) {
      return b ? 1L : 0L;
    }
    if (v instanceof Double d) {
      return (long) d.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s.strip().replace("_", ""));
      } catch (NumberFormatException e) {
        try {
          return (long) Double.parseDouble(s.strip());
        } catch (NumberFormatException e2) {
          return fallback;
        }
      }
    }
    return fallback;
  }

  private static Object toFloat(Object v, Object fallback) {
    if (Py.isNumber(v)) {
      return Py.toDouble(v);
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.strip());
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  /** {@code "%s ..." % args} for the conversions templates use: s, r, d, i, f, %. */
  private static String printf(String format, List<Object> args) {
    StringBuilder out = new StringBuilder();
    int next = 0;
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (++i >= format.length()) {
        throw Py.typeError("incomplete format");
      }
      char conversion = format.charAt(i);
      if (conversion == '%') {
        out.append('%');
        continue;
      }
      Object arg = arg(args, next++, "format");
      switch (conversion) {
        case 's' -> out.append(Py.str(arg));
        case 'r' -> out.append(Py.repr(arg));
        case 'd', 'i' -> out.append(Py.toLong(toInt(arg, 0L)));
        case 'f' -> out.append(String.format(Locale.ROOT, "%f", Py.toDouble(arg)));
        default -> throw Py.typeError("unsupported format character '" + conversion + "'");
      }
    }
    return out.toString();
  }

  // ---- globals

  /** The functions every template sees: range, namespace, dict, raise_exception. */
  static Map<String, Object> globals() {
    Map<String, Object> globals = new LinkedHashMap<>();
    globals.put("range", (Callable) (args, kwargs) -> {
      long start = 0;
      long stop;
      long step = 1;
      if (args.size() == 1) {
        stop = Py.toLong(args.get(0));
      } else if (args.size() >= 2) {
        start = Py.toLong(args.get(0));
        stop = Py.toLong(args.get(1));
        if (args.size() > 2) {
          step = Py.toLong(args.get(2));
        }
      } else {
        throw Py.typeError("range expected at least 1 argument");
      }
      if (step == 0) {
        throw Py.typeError("range() arg 3 must not be zero");
      }
      long n = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
      if (n > 100_000) {
        throw new TemplateException(TemplateException.Kind.LIMIT, "range of " + n + " items");
      }
      List<Object> items = new ArrayList<>();
      for (long i = 0; i < n; i++) {
        items.add(start + i * step);
      }
      return items;
    });
    globals.put("namespace", (Callable) (args, kwargs) -> {
      Namespace ns = new Namespace();
      for (Object arg : args) {
        if (arg instanceof Map<?, ?> map) {
          map.forEach((k, val) -> ns.attributes.put(Py.str(k), val));
        }
      }
      ns.attributes.putAll(kwargs);
      return ns;
    });
    globals.put("dict", (Callable) (args, kwargs) -> {
      Map<Object, Object> map = new LinkedHashMap<>();
      if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> given) {
        map.putAll(given);
      }
      map.putAll(kwargs);
      return map;
    });
    globals.put("raise_exception", (Callable) (args, kwargs) -> {
      throw new TemplateException(TemplateException.Kind.RAISED, args.isEmpty() ? "" : Py.str(args.get(0)));
    });
    return globals;
  }

  /** The filters {@link #filter} knows; a template naming another one does not compile, as in Jinja. */
  static final Set<String> FILTERS = Set.of("default", "d", "safe", "string", "trim", "length", "count", "upper",
      "lower", "capitalize", "title", "list", "first", "last", "tojson", "join", "replace", "map", "select",
      "reject", "selectattr", "rejectattr", "attr", "items", "dictsort", "reverse", "sort", "unique", "min", "max",
      "sum", "int", "float", "abs", "round", "e", "escape", "indent", "wordcount", "batch", "format", "center");

  /** The tests {@link #test} knows. */
  static final Set<String> TESTS = Set.of("defined", "undefined", "none", "boolean", "true", "false", "integer",
      "float", "number", "string", "mapping", "iterable", "sequence", "callable", "lower", "upper", "odd", "even",
      "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan", ">",
      "ge", ">=", "in", "sameas", "escaped");
}

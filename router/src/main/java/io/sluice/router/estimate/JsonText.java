package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON as a chat template's {@code tojson} filter writes it (Python's {@code json.dumps} with
 * {@code ensure_ascii=False}): separators {@code ", "} and {@code ": "}, keys in their original
 * order, non-ASCII characters unescaped.
 */
final class JsonText {
  private JsonText() {}

  static String of(JsonNode node) {
    StringBuilder out = new StringBuilder();
    write(node, out);
    return out.toString();
  }

  private static void write(JsonNode node, StringBuilder out) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      out.append("null");
    } else if (node.isTextual()) {
      string(node.textValue(), out);
    } else if (node.isBoolean()) {
      out.append(node.booleanValue());
    } else if (node.isIntegralNumber()) {
      out.append(node.bigIntegerValue());
    } else if (node.isNumber()) {
      out.append(pythonFloat(node.doubleValue()));
    } else if (node.isArray()) {
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          out.append(", ");
        }
        write(node.get(i), out);
      }
      out.append(']');
    } else {
      out.append('{');
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      boolean first = true;
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!first) {
          out.append(", ");
        }
        string(field.getKey(), out);
        out.append(": ");
        write(field.getValue(), out);
        first = false;
      }
      out.append('}');
    }
  }

  private static String pythonFloat(double value) {
    String java = Double.toString(value);
    int e = java.indexOf('E');
    if (e < 0) {
      return java;
    }
    String mantissa = java.substring(0, e).replace(".0", "");
    String exponent = java.substring(e + 1);
    String sign = exponent.startsWith("-") ? "-" : "+";
    String digits = exponent.replace("-", "");
    return mantissa + "e" + sign + (digits.length() < 2 ? "0" + digits : digits);
  }

  private static void string(String s, StringBuilder out) {
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
          if (c < 0x20) {
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

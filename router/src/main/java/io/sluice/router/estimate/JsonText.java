package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.router.estimate.jinja.Template;

/**
 * JSON as a chat template's {@code tojson} filter writes it (Python's {@code json.dumps} with
 * {@code ensure_ascii=False}): separators {@code ", "} and {@code ": "}, keys in their original
 * order, non-ASCII characters unescaped. The renderer's own writer does it ({@link Template#toJson}).
 */
final class JsonText {
  private JsonText() {}

  static String of(JsonNode node) {
    return Template.toJson(node);
  }
}

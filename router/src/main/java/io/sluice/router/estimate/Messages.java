package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * Reads chat messages the way vLLM normalises them before applying a chat template: text parts
 * joined with a newline, a null content as an empty string, tool call arguments parsed from their
 * JSON string into an object (an empty string becomes {@code {}}).
 */
final class Messages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Messages() {}

  static String role(JsonNode message) {
    JsonNode role = message.get("role");
    return role == null ? "" : role.asText();
  }

  /** The message's text: a string content, or its text parts joined with "\n". */
  static String text(JsonNode message) {
    JsonNode content = message.get("content");
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.textValue();
    }
    StringBuilder text = new StringBuilder();
    boolean first = true;
    for (JsonNode part : content) {
      JsonNode partText = part.get("text");
      if (isImage(part) || partText == null || !partText.isTextual()) {
        continue;
      }
      if (!first) {
        text.append('\n');
      }
      text.append(partText.textValue());
      first = false;
    }
    return text.toString();
  }

  /** How many image parts the message's content has. */
  static int images(JsonNode message) {
    JsonNode content = message.get("content");
    int images = 0;
    if (content != null && content.isArray()) {
      for (JsonNode part : content) {
        if (isImage(part)) {
          images++;
        }
      }
    }
    return images;
  }

  private static boolean isImage(JsonNode part) {
    JsonNode type = part.get("type");
    String t = type == null ? "" : type.asText();
    return t.equals("image_url") || t.equals("input_image") || t.equals("image")
        || (type == null && part.has("image_url"));
  }

  /** A tool call's arguments as the template sees them: parsed JSON, or the string if it is not JSON. */
  static JsonNode arguments(JsonNode function) {
    JsonNode arguments = function.get("arguments");
    if (arguments == null || arguments.isNull()
        || (arguments.isTextual() && arguments.textValue().isEmpty())) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!arguments.isTextual()) {
      return arguments;
    }
    try {
      JsonNode parsed = JSON.readTree(arguments.textValue());
      return parsed == null ? arguments : parsed;
    } catch (java.io.IOException e) {
      return arguments;
    }
  }

  /** Jinja truthiness of an optional field: present, not null, and not an empty string or list. */
  static boolean truthy(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return false;
    }
    if (node.isTextual()) {
      return !node.textValue().isEmpty();
    }
    if (node.isContainerNode()) {
      return node.size() > 0;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    return true;
  }
}

package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Responses API body as the chat the engine builds its prompt from (vLLM turns a Responses
 * request into chat messages before applying the chat template): {@code instructions} become the
 * system message; a string {@code input} a user message; input items become messages ({@code
 * developer} read as {@code system}, content parts kept, their {@code text} counted, images at
 * their flat cost), {@code function_call} items an assistant message's tool calls and {@code
 * function_call_output} items tool messages; {@code reasoning} items are dropped, as engines drop
 * them; other items (built-in tool calls, references) are counted as their JSON, as an assistant
 * message. Function tools, flat in the Responses API, are nested as chat tools; other tools are
 * kept as they are.
 */
public final class ResponsesChat {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ResponsesChat() {}

  /** A chat-completions body ({@code messages}, {@code tools}) for the Responses {@code body}. */
  public static ObjectNode of(ObjectNode body) {
    ObjectNode chat = NODES.objectNode();
    ArrayNode messages = chat.putArray("messages");
    JsonNode instructions = body.get("instructions");
    if (instructions != null && instructions.isTextual() && !instructions.textValue().isEmpty()) {
      messages.addObject().put("role", "system").put("content", instructions.textValue());
    }
    JsonNode input = body.get("input");
    if (input != null && input.isTextual()) {
      messages.addObject().put("role", "user").put("content", input.textValue());
    } else if (input != null && input.isArray()) {
      for (JsonNode item : input) {
        add(messages, item);
      }
    }
    JsonNode tools = body.get("tools");
    if (tools != null && tools.isArray() && !tools.isEmpty()) {
      ArrayNode chatTools = chat.putArray("tools");
      for (JsonNode tool : tools) {
        chatTools.add(chatTool(tool));
      }
    }
    return chat;
  }

  private static void add(ArrayNode messages, JsonNode item) {
    String type = item.path("type").asText("");
    if (item.has("role") && (type.isEmpty() || type.equals("message"))) {
      String role = item.path("role").asText();
      ObjectNode message = messages.addObject().put("role", role.equals("developer") ? "system" : role);
      JsonNode content = item.get("content");
      message.set("content", content == null ? NODES.textNode("") : content);
      return;
    }
    switch (type) {
      case "function_call" -> {
        ObjectNode call = NODES.objectNode().put("id", item.path("call_id").asText(""))
            .put("type", "function");
        call.putObject("function").put("name", item.path("name").asText(""))
            .set("arguments", item.has("arguments") ? item.get("arguments") : NODES.textNode(""));
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && last.has("tool_calls") && last.path("role").asText().equals("assistant")) {
          ((ArrayNode) last.get("tool_calls")).add(call); // parallel calls: one assistant turn
        } else {
          messages.addObject().put("role", "assistant").put("content", "").putArray("tool_calls").add(call);
        }
      }
      case "function_call_output" -> {
        JsonNode output = item.get("output");
        messages.addObject().put("role", "tool").put("tool_call_id", item.path("call_id").asText(""))
            .set("content", output == null ? NODES.textNode("")
                : output.isTextual() || output.isArray() ? output : NODES.textNode(JsonText.of(output)));
      }
      case "reasoning" -> { }
      default -> messages.addObject().put("role", "assistant").put("content", JsonText.of(item));
    }
  }

  /** {@code {type: function, name, description, parameters}} as {@code {type: function, function: {...}}}. */
  private static JsonNode chatTool(JsonNode tool) {
    if (!tool.isObject() || !tool.path("type").asText("").equals("function") || tool.has("function")) {
      return tool;
    }
    ObjectNode function = NODES.objectNode();
    for (String field : new String[] {"name", "description", "parameters"}) {
      if (tool.has(field)) {
        function.set(field, tool.get(field));
      }
    }
    ObjectNode chat = NODES.objectNode().put("type", "function");
    chat.set("function", function);
    return chat;
  }
}

package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The Qwen3 chat template (tokenizer_config.json of the Qwen3 family), ported statement by
 * statement from its Jinja source, so that it renders the same text as the engine: the tools block
 * in the system turn, tool calls as {@code <tool_call>} JSON, consecutive tool results merged into
 * one user turn, earlier reasoning dropped and the last turn's kept, and the generation prompt
 * ({@code enable_thinking: false} in {@code chat_template_kwargs} adds an empty think block).
 *
 * <p>Jinjava cannot run the original ({@code namespace()}, {@code [::-1]}, Python string
 * methods); {@code TokenizerFiles} picks this port only when the file's template is one of the
 * known Qwen3 templates (by fingerprint), and the test suite checks its token counts against an
 * independent Jinja engine.
 */
final class Qwen3ChatTemplate implements ChatTemplate {
  private static final String TOOLS_HEAD = "# Tools\n\nYou may call one or more functions to assist with"
      + " the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>";
  private static final String TOOLS_TAIL = "\n</tools>\n\nFor each function call, return a json object with"
      + " function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\":"
      + " <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n";

  @Override
  public String name() {
    return "qwen3";
  }

  @Override
  public Prompt render(ObjectNode body) {
    return new Prompt(List.of(renderText(body)), 0);
  }

  String renderText(ObjectNode body) {
    JsonNode messages = body.get("messages");
    int n = messages.size();
    StringBuilder out = new StringBuilder();
    JsonNode tools = body.get("tools");
    boolean firstIsSystem = n > 0 && Messages.role(messages.get(0)).equals("system");
    if (Messages.truthy(tools)) {
      out.append("<|im_start|>system\n");
      if (firstIsSystem) {
        out.append(Messages.text(messages.get(0))).append("\n\n");
      }
      out.append(TOOLS_HEAD);
      for (JsonNode tool : tools) {
        out.append('\n').append(JsonText.of(tool));
      }
      out.append(TOOLS_TAIL);
    } else if (firstIsSystem) {
      out.append("<|im_start|>system\n").append(Messages.text(messages.get(0))).append("<|im_end|>\n");
    }
    int lastQuery = lastQueryIndex(messages);
    for (int i = 0; i < n; i++) {
      JsonNode message = messages.get(i);
      String role = Messages.role(message);
      String content = Messages.text(message);
      if (role.equals("user") || (role.equals("system") && i > 0)) {
        out.append("<|im_start|>").append(role).append('\n').append(content).append("<|im_end|>\n");
      } else if (role.equals("assistant")) {
        assistant(message, content, i > lastQuery, i == n - 1, out);
      } else if (role.equals("tool")) {
        if (i == 0 || !Messages.role(messages.get(i - 1)).equals("tool")) {
          out.append("<|im_start|>user");
        }
        out.append("\n<tool_response>\n").append(content).append("\n</tool_response>");
        if (i == n - 1 || !Messages.role(messages.get(i + 1)).equals("tool")) {
          out.append("<|im_end|>\n");
        }
      }
    }
    if (addGenerationPrompt(body)) {
      out.append("<|im_start|>assistant\n");
      if (thinkingDisabled(body)) {
        out.append("<think>\n\n</think>\n\n");
      }
    }
    return out.toString();
  }

  /** The index of the last real user query (not a wrapped tool response), else the last index. */
  private static int lastQueryIndex(JsonNode messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonNode message = messages.get(i);
      if (Messages.role(message).equals("user")) {
        String content = Messages.text(message);
        if (!(content.startsWith("<tool_response>") && content.endsWith("</tool_response>"))) {
          return i;
        }
      }
    }
    return messages.size() - 1;
  }

  private static void assistant(JsonNode message, String raw, boolean afterLastQuery, boolean last,
      StringBuilder out) {
    String content = raw;
    String reasoning = "";
    JsonNode reasoningField = message.get("reasoning_content");
    if (reasoningField != null && !reasoningField.isNull()) {
      reasoning = reasoningField.asText();
    } else if (raw.contains("</think>")) {
      content = lstrip(raw.substring(raw.lastIndexOf("</think>") + "</think>".length()));
      String before = rstrip(raw.substring(0, raw.indexOf("</think>")));
      int open = before.lastIndexOf("<think>");
      reasoning = lstrip(open < 0 ? before : before.substring(open + "<think>".length()));
    }
    out.append("<|im_start|>assistant\n");
    if (afterLastQuery && (last || !reasoning.isEmpty())) {
      out.append("<think>\n").append(lstrip(rstrip(reasoning))).append("\n</think>\n\n").append(lstrip(content));
    } else {
      out.append(content);
    }
    JsonNode toolCalls = message.get("tool_calls");
    if (Messages.truthy(toolCalls)) {
      for (int j = 0; j < toolCalls.size(); j++) {
        if (j > 0 || !content.isEmpty()) {
          out.append('\n');
        }
        JsonNode call = toolCalls.get(j);
        if (Messages.truthy(call.get("function"))) {
          call = call.get("function");
        }
        JsonNode name = call.get("name");
        out.append("<tool_call>\n{\"name\": \"").append(name == null ? "" : name.asText())
            .append("\", \"arguments\": ");
        JsonNode arguments = Messages.arguments(call);
        out.append(arguments.isTextual() ? arguments.textValue() : JsonText.of(arguments));
        out.append("}\n</tool_call>");
      }
    }
    out.append("<|im_end|>\n");
  }

  private static boolean addGenerationPrompt(ObjectNode body) {
    JsonNode flag = body.get("add_generation_prompt");
    return flag == null || !flag.isBoolean() || flag.booleanValue();
  }

  private static boolean thinkingDisabled(ObjectNode body) {
    JsonNode kwargs = body.get("chat_template_kwargs");
    JsonNode flag = kwargs == null ? null : kwargs.get("enable_thinking");
    return flag != null && flag.isBoolean() && !flag.booleanValue();
  }

  private static String lstrip(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) == '\n') {
      i++;
    }
    return s.substring(i);
  }

  private static String rstrip(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '\n') {
      end--;
    }
    return s.substring(0, end);
  }
}

package io.sluice.sim.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Renders chat messages as ChatML text (the format of Qwen and many others):
 * {@code <|im_start|>role\ncontent<|im_end|>\n} per message, then the assistant generation
 * prompt. With a Qwen tokenizer the markers are single special tokens, so the count matches
 * the model's template for plain text messages. Tools are rendered as Qwen3's template does, so
 * that they cost prompt tokens as on a real engine: their definitions in a system turn, an
 * assistant's calls as {@code <tool_call>} JSON, tool results as {@code <tool_response>} in a user
 * turn. Reasoning blocks and images are not rendered.
 */
public final class ChatTemplate {
    private static final String TOOLS_HEAD = "# Tools\n\nYou may call one or more functions to assist with"
            + " the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>";
    private static final String TOOLS_TAIL = "\n</tools>\n\nFor each function call, return a json object with"
            + " function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\":"
            + " <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n";

    private ChatTemplate() {
    }

    /** Renders an OpenAI {@code messages} array; content may be a string or a list of text parts. */
    public static String render(JsonNode messages, boolean addGenerationPrompt) {
        return render(messages, null, addGenerationPrompt);
    }

    /** As {@link #render(JsonNode, boolean)}, with the request's {@code tools} (null or empty: none). */
    public static String render(JsonNode messages, JsonNode tools, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        boolean withTools = tools != null && tools.isArray() && !tools.isEmpty();
        int first = 0;
        if (withTools) {
            sb.append("<|im_start|>system\n");
            if (messages.size() > 0 && "system".equals(messages.get(0).path("role").asText())) {
                sb.append(text(messages.get(0).path("content"))).append("\n\n");
                first = 1;
            }
            sb.append(TOOLS_HEAD);
            for (JsonNode tool : tools) {
                sb.append('\n');
                json(tool, sb);
            }
            sb.append(TOOLS_TAIL);
        }
        for (int i = first; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText("user");
            if (role.equals("tool")) {
                boolean opens = i == 0 || !"tool".equals(messages.get(i - 1).path("role").asText());
                boolean closes = i == messages.size() - 1 || !"tool".equals(messages.get(i + 1).path("role").asText());
                sb.append(opens ? "<|im_start|>user" : "").append("\n<tool_response>\n")
                        .append(text(m.path("content"))).append("\n</tool_response>").append(closes ? "<|im_end|>\n" : "");
                continue;
            }
            sb.append("<|im_start|>").append(role).append('\n');
            String content = text(m.path("content"));
            sb.append(content);
            JsonNode calls = m.path("tool_calls");
            for (int j = 0; calls.isArray() && j < calls.size(); j++) {
                JsonNode call = calls.get(j).has("function") ? calls.get(j).get("function") : calls.get(j);
                if (j > 0 || !content.isEmpty()) {
                    sb.append('\n');
                }
                sb.append("<tool_call>\n{\"name\": \"").append(call.path("name").asText()).append("\", \"arguments\": ");
                JsonNode args = call.path("arguments");
                if (args.isTextual()) {
                    sb.append(args.asText());
                } else if (args.isMissingNode()) {
                    sb.append("{}");
                } else {
                    json(args, sb);
                }
                sb.append("}\n</tool_call>");
            }
            sb.append("<|im_end|>\n");
        }
        if (addGenerationPrompt) {
            sb.append("<|im_start|>assistant\n");
        }
        return sb.toString();
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        if (content.isArray()) {
            for (JsonNode part : content) {
                if (part.path("text").isTextual()) {
                    sb.append(part.path("text").asText());
                }
            }
        }
        return sb.toString();
    }

    /** JSON as the template's {@code tojson} writes it: {@code ", "} and {@code ": "} separators. */
    private static void json(JsonNode node, StringBuilder sb) {
        if (node.isObject()) {
            sb.append('{');
            boolean firstField = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); firstField = false) {
                Map.Entry<String, JsonNode> f = it.next();
                sb.append(firstField ? "" : ", ").append(TextNode.valueOf(f.getKey())).append(": ");
                json(f.getValue(), sb);
            }
            sb.append('}');
        } else if (node.isArray()) {
            sb.append('[');
            for (int i = 0; i < node.size(); i++) {
                sb.append(i == 0 ? "" : ", ");
                json(node.get(i), sb);
            }
            sb.append(']');
        } else {
            sb.append(node);
        }
    }
}

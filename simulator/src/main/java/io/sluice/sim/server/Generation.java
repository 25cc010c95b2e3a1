package io.sluice.sim.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.sim.text.SchemaSample;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The sampling parameters that shape a completion's choices: {@code n}, logprobs, {@code tools}
 * with {@code tool_choice}, and {@code response_format}. Parsed once per request; {@link #output}
 * decides what each choice generates.
 *
 * @param n            number of choices
 * @param logprobs     top logprobs per token (0 = only the sampled token's), or -1 for none
 * @param tool         the function every choice calls, or null for no tool call
 * @param toolSchema   the called function's parameters schema
 * @param jsonSchema   the response_format's schema ({@code {}} for json_object), or null for text
 */
record Generation(int n, int logprobs, String tool, JsonNode toolSchema, JsonNode jsonSchema) {
    /** vLLM's default {@code --max-logprobs}. */
    static final int MAX_LOGPROBS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request parameter that vLLM would refuse; {@code param} names it. */
    static final class Invalid extends IllegalArgumentException {
        final String param;

        Invalid(String message, String param) {
            super(message);
            this.param = param;
        }
    }

    static Generation parse(JsonNode body, boolean chat) {
        int n = body.path("n").isNumber() ? body.path("n").asInt() : 1;
        if (n < 1 || n > 128) {
            throw new Invalid("n must be between 1 and 128, got " + n + ".", "n");
        }
        int logprobs = -1;
        if (chat && body.path("logprobs").asBoolean(false)) {
            logprobs = body.path("top_logprobs").asInt(0);
        } else if (!chat && body.path("logprobs").isNumber()) {
            logprobs = body.path("logprobs").asInt();
        }
        if (logprobs > MAX_LOGPROBS || logprobs < -1) {
            throw new Invalid("Requested sample logprobs of " + logprobs + ", which is greater than max allowed: "
                    + MAX_LOGPROBS, chat ? "top_logprobs" : "logprobs");
        }
        String tool = null;
        JsonNode toolSchema = null;
        if (chat && body.path("tools").isArray() && !body.path("tools").isEmpty()) {
            JsonNode chosen = chooseTool(body);
            if (chosen != null) {
                tool = chosen.path("function").path("name").asText();
                toolSchema = chosen.path("function").path("parameters");
            }
        }
        return new Generation(n, logprobs, tool, toolSchema, jsonSchema(body.path("response_format")));
    }

    /**
     * {@code none}: no call. A named function: that one. {@code required}: a call always.
     * {@code auto} (the default): a call unless the last message is a tool result, so an agent
     * loop ends with a text answer. The function called is the first one named in the last user
     * message, else the first listed.
     */
    private static JsonNode chooseTool(JsonNode body) {
        JsonNode tools = body.path("tools");
        JsonNode choice = body.path("tool_choice");
        if (choice.isObject()) {
            String name = choice.path("function").path("name").asText();
            for (JsonNode t : tools) {
                if (name.equals(t.path("function").path("name").asText())) {
                    return t;
                }
            }
            throw new Invalid("Tool '" + name + "' has not been passed in `tools`.", "tool_choice");
        }
        String mode = choice.asText("auto");
        if (mode.equals("none")) {
            return null;
        }
        JsonNode messages = body.path("messages");
        JsonNode last = messages.isArray() && !messages.isEmpty() ? messages.get(messages.size() - 1) : null;
        if (mode.equals("auto") && last != null && "tool".equals(last.path("role").asText())) {
            return null;
        }
        String said = "";
        for (JsonNode m : messages) {
            if ("user".equals(m.path("role").asText())) {
                said = m.path("content").toString().toLowerCase(Locale.ROOT);
            }
        }
        for (JsonNode t : tools) {
            String name = t.path("function").path("name").asText();
            if (!name.isEmpty() && said.contains(name.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        return tools.get(0);
    }

    private static JsonNode jsonSchema(JsonNode format) {
        if (!format.isObject()) {
            return null;
        }
        return switch (format.path("type").asText("text")) {
            case "text" -> null;
            case "json_object" -> JsonNodeFactory.instance.objectNode();
            case "json_schema" -> format.path("json_schema").path("schema").isObject()
                    ? format.path("json_schema").path("schema") : JsonNodeFactory.instance.objectNode();
            default -> throw new Invalid("Unsupported response_format type: " + format.path("type").asText(),
                    "response_format");
        };
    }

    /** What choice {@code index} generates: a tool call, a JSON document, or plain text. */
    ChoiceOutput output(int index, SplittableRandom random) {
        if (tool != null) {
            String callId = String.format("chatcmpl-tool-%016x%016x", random.nextLong(), random.nextLong());
            return ChoiceOutput.toolCall(tool, callId, write(SchemaSample.of(objectSchema(toolSchema), random)));
        }
        if (jsonSchema != null) {
            JsonNode schema = jsonSchema.isEmpty() ? FREE_FORM : jsonSchema;
            return ChoiceOutput.json(write(SchemaSample.of(schema, random)));
        }
        return ChoiceOutput.text(index);
    }

    /** json_object without a schema: a small object of text and a number. */
    private static final JsonNode FREE_FORM = freeForm();

    private static JsonNode freeForm() {
        ObjectNode props = JsonNodeFactory.instance.objectNode();
        props.putObject("answer").put("type", "string").put("minLength", 12);
        props.putObject("confidence").put("type", "number").put("minimum", 0).put("maximum", 1);
        ObjectNode s = JsonNodeFactory.instance.objectNode().put("type", "object");
        s.set("properties", props);
        s.putArray("required").add("answer").add("confidence");
        return s;
    }

    /** A tool's parameters are an object even when the schema says nothing. */
    private static JsonNode objectSchema(JsonNode schema) {
        return schema == null || !schema.isObject() || schema.isEmpty()
                ? JsonNodeFactory.instance.objectNode().put("type", "object") : schema;
    }

    private static String write(JsonNode value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

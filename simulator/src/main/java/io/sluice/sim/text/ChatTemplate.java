package io.sluice.sim.text;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Renders chat messages as ChatML text (the format of Qwen and many others):
 * {@code <|im_start|>role\ncontent<|im_end|>\n} per message, then the assistant generation
 * prompt. With a Qwen tokenizer the markers are single special tokens, so the count matches
 * the model's template for plain text messages; tools and images are not rendered.
 */
public final class ChatTemplate {
    private ChatTemplate() {
    }

    /** Renders an OpenAI {@code messages} array; content may be a string or a list of text parts. */
    public static String render(JsonNode messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : messages) {
            sb.append("<|im_start|>").append(m.path("role").asText("user")).append('\n');
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                sb.append(content.asText());
            } else if (content.isArray()) {
                for (JsonNode part : content) {
                    if (part.path("text").isTextual()) {
                        sb.append(part.path("text").asText());
                    }
                }
            }
            sb.append("<|im_end|>\n");
        }
        if (addGenerationPrompt) {
            sb.append("<|im_start|>assistant\n");
        }
        return sb.toString();
    }
}

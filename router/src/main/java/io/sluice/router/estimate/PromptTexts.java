package io.sluice.router.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.router.api.ApiKind;
import io.sluice.router.api.InferenceRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * What of a request becomes prompt tokens: a chat through its template plus images at a flat
 * cost; a completion's {@code prompt} or an embedding's {@code input} (strings are tokenized,
 * token id arrays counted as they are); a Responses request as the chat {@link ResponsesChat}
 * makes of it; pooling, classify and tokenize inputs the same way as a prompt (or their messages'
 * text); rerank and score as the pairs a cross-encoder reads.
 */
final class PromptTexts {
  private PromptTexts() {}

  static Prompt of(InferenceRequest request, ChatTemplate template, int imageTokens) {
    ObjectNode body = request.body();
    return switch (request.kind()) {
      case CHAT -> chat(body, template, imageTokens);
      case COMPLETIONS -> inputs(body.get("prompt"));
      case EMBEDDINGS -> inputs(body.get("input"));
      case RESPONSES -> chat(ResponsesChat.of(body), template, imageTokens);
      case POOLING, CLASSIFY, TOKENIZE -> body.hasNonNull("messages")
          ? messages(body) : inputs(body.get(request.kind() == ApiKind.TOKENIZE ? "prompt" : "input"));
      case RERANK, RERANK_V1 -> pairs(body.get("query"), body.get("documents"));
      case SCORE, SCORE_V1 -> body.hasNonNull("queries") || body.hasNonNull("documents")
          ? pairs(body.get("queries"), body.get("documents")) : pairs(body.get("text_1"), body.get("text_2"));
      case DETOKENIZE, AUDIO_TRANSCRIPTIONS -> new Prompt(List.of(), 0); // not estimated (see ProxyHandler)
    };
  }

  /** A cross-encoder reads each pair: one side repeated once per item of the other, plus those items. */
  private static Prompt pairs(JsonNode first, JsonNode second) {
    List<String> left = texts(first);
    List<String> right = texts(second);
    List<String> all = new ArrayList<>();
    if (left.size() == 1) {
      for (int i = 0; i < Math.max(1, right.size()); i++) {
        all.add(left.get(0));
      }
    } else {
      all.addAll(left);
    }
    all.addAll(right);
    return new Prompt(all, 0);
  }

  /** The text of a string, of an array's strings, or of objects' {@code text} members (Cohere-style documents). */
  private static List<String> texts(JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (node.isTextual()) {
      return List.of(node.textValue());
    }
    List<String> texts = new ArrayList<>();
    if (node.isObject()) {
      JsonNode items = node.path("content");
      if (items.isArray()) { // vLLM's multimodal form: {content: [{type: text, text: ...}, ...]}
        for (JsonNode item : items) {
          texts.add(item.path("text").asText(item.toString()));
        }
        return texts;
      }
      return List.of(node.toString());
    }
    for (JsonNode item : node) {
      texts.add(item.isTextual() ? item.textValue() : item.path("text").asText(item.toString()));
    }
    return texts;
  }

  private static Prompt messages(ObjectNode body) {
    List<String> texts = new ArrayList<>();
    for (JsonNode message : body.get("messages")) {
      JsonNode content = message.get("content");
      if (content != null && content.isTextual()) {
        texts.add(content.textValue());
      } else if (content != null && content.isArray()) {
        for (JsonNode part : content) {
          if (part.path("text").isTextual()) {
            texts.add(part.path("text").textValue());
          }
        }
      }
    }
    return new Prompt(texts, 0);
  }

  private static Prompt chat(ObjectNode body, ChatTemplate template, int imageTokens) {
    Prompt rendered = template.render(body);
    long images = 0;
    for (JsonNode message : body.get("messages")) {
      images += Messages.images(message);
    }
    return images == 0 ? rendered
        : new Prompt(rendered.texts(), rendered.fixedTokens() + images * imageTokens);
  }

  private static Prompt inputs(JsonNode input) {
    if (input == null || input.isNull()) {
      return new Prompt(List.of(), 0);
    }
    if (input.isTextual()) {
      return new Prompt(List.of(input.textValue()), 0);
    }
    List<String> texts = new ArrayList<>();
    long ids = 0;
    for (JsonNode item : input) {
      if (item.isTextual()) {
        texts.add(item.textValue());
      } else if (item.isArray()) {
        ids += item.size();
      } else {
        ids++;
      }
    }
    return new Prompt(texts, ids);
  }
}
